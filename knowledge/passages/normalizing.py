"""From the lines of a converted document to clean paragraphs.

Official documents reach us through PDF: running headers ("EN OJ L, 20.11.2024"),
footers ("ELI: http://data.europa.eu/eli/reg/2024/2847/oj 31/81"), page numbers,
footnotes between body lines, signature blocks in two interleaved columns, words
hyphenated at line ends and sentences broken across pages. Measured on the dev corpus
before this module existed: 2,033 passages, many of them furniture, a hundred headed by a
footnote's title. Here furniture and signature blocks are dropped, footnotes are set
apart, and broken lines and paragraphs are joined again.

Everything is decided from the text: a line is furniture because of its printed form or
because it repeats page after page, a footnote because of where it stands (a numbered run
just above a page footer, continuing the document's footnote count) and what it says.
"""

from __future__ import annotations

import re

from knowledge.passages.footnotes import footnotes, starred_notes
from knowledge.passages.furniture import furniture, running_title, signature_blocks
from knowledge.passages.joining import Paragraph, joined_paragraphs
from knowledge.reading.lines import Line


def left_out(lines: list[Line]) -> set[int]:
    """Indexes of the lines that are not the document's running text."""
    dropped = furniture(lines)
    dropped |= footnotes(lines, dropped)
    dropped |= starred_notes(lines, dropped)
    return dropped | signature_blocks(lines, dropped)


# "CHAPTER" over "TWO" over "APPLYING TO BECOME A MEMBER", as Sphinx prints a chapter.
_CHAPTER_WORD = re.compile(r"CHAPTER|Chapter|KAPITEL|Kapitel")
_NUMBER_WORDS = {word: n for n, word in enumerate((
    "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN",
    "TWELVE", "THIRTEEN", "FOURTEEN", "FIFTEEN", "SIXTEEN", "SEVENTEEN", "EIGHTEEN",
    "NINETEEN", "TWENTY"), start=1)}


def _spelled_chapters(lines: list[Line]) -> list[Line]:
    """A chapter's word and its number on two lines made one heading line ("Chapter
    2"); the lines keep their count (the second becomes blank)."""
    result = list(lines)
    for i in range(len(lines) - 1):
        number = lines[i + 1].text.strip()
        if _CHAPTER_WORD.fullmatch(lines[i].text.strip()) and (
                number.upper() in _NUMBER_WORDS or number.isdigit()):
            value = _NUMBER_WORDS.get(number.upper()) or int(number)
            result[i] = Line(f"{lines[i].text.strip()} {value}", lines[i].level)
            result[i + 1] = Line("")
    return result


def paragraphs(lines: list[Line]) -> list[Paragraph]:
    """Clean paragraphs and headings, furniture and footnotes left out."""
    return normalized(lines)[1]


def normalized(lines: list[Line]) -> tuple[str, list[Paragraph]]:
    """The title a running header prints ("" if none) and the clean paragraphs."""
    lines = _spelled_chapters(lines)
    dropped = left_out(lines)
    return running_title(lines, dropped), joined_paragraphs(lines, dropped)
