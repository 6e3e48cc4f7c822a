"""Lines joined into paragraphs again: wrapped lines, words hyphenated at a line's end,
paragraphs broken across pages."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from knowledge.passages.heading_lines import numbered_heading, structural_heading
from knowledge.passages.line_ends import STARTS_UNIT, TAIL, ends_list_item, ends_sentence
from knowledge.reading.lines import EMPHASIS, Line
from knowledge.text.legal_words import is_act_title
from knowledge.text.words import LETTER, word_counts

MAX_JOINED_CHARS = 20_000
_HYPHENATED = re.compile(rf"({LETTER}+)-$")
_WORD_START = re.compile(rf"({LETTER}+)")


@dataclass(frozen=True)
class Paragraph:
    """A heading, or a paragraph joined from its lines."""

    text: str
    level: int = 0  # heading level from the format; 0 for a paragraph


def join_lines(first: str, second: str, words: Counter[str]) -> str:
    """Join two wrapped lines; a word hyphenated at the break is made whole again
    ("Wertschöp-" + "fungskette"), a compound keeps its hyphen ("third-" + "party"),
    decided by which form the document itself uses more; before a capital the hyphen is
    the compound's ("Debian-" + "Maschinen")."""
    hyphenated = _HYPHENATED.search(first[-TAIL:])
    start = _WORD_START.match(second)
    if hyphenated and start and second[:1].isupper():
        return first + second  # "Debian-" + "Maschinen": a compound's own hyphen
    if hyphenated and start and second[:1].islower():
        head, tail = hyphenated.group(1).lower(), start.group(1).lower()
        if words[head + tail] > words[f"{head}-{tail}"]:
            return first[:-1] + second
        return first + second
    return f"{first} {second}"


def joined_paragraphs(lines: list[Line], dropped: set[int]) -> list[Paragraph]:
    # How often the document writes each word: a hyphenated one is joined as it does.
    words = word_counts(line.text for i, line in enumerate(lines) if i not in dropped)
    result: list[Paragraph] = []
    # The current paragraph's lines as joined so far; one string at the flush (appending
    # to a growing string copies it each time).
    current: list[str] = []
    pdf_like = any(line.level < 0 for line in lines)
    usual = _usual_length(lines, dropped)

    crossed = False  # a page break or furniture since the last paragraph
    title_may_follow = False  # the line before was "Article 5": this may be its title

    def flush() -> None:
        nonlocal current, crossed
        if current:
            _append_joined(result, " ".join(" ".join(current).split()), crossed)
            current = []
            crossed = False

    def stand_alone(text: str, level: int = 0) -> None:
        # A heading or title: nothing after it goes on from it, even across a page.
        nonlocal crossed
        flush()
        result.append(Paragraph(" ".join(text.split()), level))
        crossed = False

    for i, line in enumerate(lines):
        if i in dropped or line.level < 0:
            crossed = True
            continue  # a page break or furniture: the paragraph may go on
        if line.blank:
            flush()
            continue
        # A format's heading ("REGULATION (EU) 2017/745 OF THE ..." as one is body text a
        # converter marked), or "Article 5", "CHAPTER II" on a line of its own.
        if (line.heading and not is_act_title(line.text)) or structural_heading(
                line.text):
            stand_alone(line.text, max(line.level, 0))
            title_may_follow = not line.heading
            continue
        # "Reporting obligations of manufacturers" under "Article 14"; "2.1 Directory
        # layout" over its section's first line (PDF text, and some plain text, has no
        # blank line between them).
        title = title_may_follow and not current and _is_title(line.text)
        title_may_follow = False
        if title or _stands_as_heading(line.text, current, usual, crossed):
            stand_alone(line.text)
            continue
        if current and STARTS_UNIT.match(line.text) and (
                ends_sentence(current[-1]) or ends_list_item(current[-1])):
            flush()
        text = EMPHASIS.sub(r"\2", line.text)
        if current:
            joined = join_lines(current[-1], text, words)
            # Joined with a space: a new part; a hyphenated word made whole: the same part.
            if joined == f"{current[-1]} {text}":
                current.append(text)
            else:
                current[-1] = joined
        else:
            current.append(text)
        # In PDF text a paragraph's last line ends a sentence well short of the column.
        if pdf_like and ends_sentence(line.text) and len(line.text) < _SHORT_LINE * usual:
            flush()
    flush()
    return result


# A line shorter than this share of the usual one ends its paragraph (in PDF text).
_SHORT_LINE = 0.75


def _stands_as_heading(text: str, current: list[str], usual: float, crossed: bool) -> bool:
    """Whether a line is a numbered section's heading: short, after a paragraph's end
    (a finished sentence, a line short of the column, or a new page: chapters start one).
    Short is what tells it from a numbered paragraph's first line ("2. Member States may
    designate" over "one or more ..."), which fills the column."""
    if len(text) >= _SHORT_LINE * usual or numbered_heading(text) is None:
        return False
    return not (current and not crossed and not ends_sentence(current[-1])
                and len(current[-1]) >= _SHORT_LINE * usual)


def _is_title(text: str) -> bool:
    return len(text.split()) <= 16 and not ends_sentence(text) and text[:1].isupper()


def _usual_length(lines: list[Line], dropped: set[int]) -> float:
    lengths = sorted(len(line.text) for i, line in enumerate(lines)
                     if line.level == 0 and line.text and i not in dropped)
    return float(lengths[len(lengths) // 2]) if lengths else 0.0


def _append_joined(result: list[Paragraph], text: str, crossed: bool) -> None:
    """A paragraph that goes on where the previous one broke off joins it: no end mark
    before, and after it a lower-case word or a number, or anything across a page."""
    previous = result[-1] if result else None
    # No real paragraph is this long; joining onto one would copy it at every join.
    if previous is not None and len(previous.text) > MAX_JOINED_CHARS:
        previous = None
    if (previous is not None and previous.level == 0 and not ends_sentence(previous.text)
            and not ends_list_item(previous.text) and not STARTS_UNIT.match(text)
            and (text[:1].islower() or text[:1].isdigit() or crossed)
            # "2.1 Directory layout" then "2.1.1 ...": a heading ends nothing to go on.
            and numbered_heading(previous.text) is None):
        result[-1] = Paragraph(f"{previous.text} {text}")
    else:
        result.append(Paragraph(text))
