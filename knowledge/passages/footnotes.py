"""Footnotes set apart from the body: a numbered run just above a page's end, continuing
the document's count, and notes marked with stars."""

from __future__ import annotations

import re

from knowledge.passages.heading_lines import structural_heading
from knowledge.passages.line_ends import ends_sentence
from knowledge.reading.lines import Line
from knowledge.text.legal_words import EU_ACTS, alternatives, is_act_title

# A footnote: "(12)" then its text, or the text right after the marker on the same line.
FOOTNOTE_MARK = re.compile(r"\((\d{1,3})\)(?:\s+|$)")
_CITATION = re.compile(
    r"\bOJ [LC]\b|\bp\. \d|\bABl\. [LC]\b|\bS\. \d|^(?:" + alternatives(EU_ACTS)
    + r"|Commission|Council|Position of the European Parliament|Standpunkt des Europäischen "
    r"Parlaments|Opinion of|See |Siehe )",
    re.IGNORECASE,
)
# A note that does not read as a reference is taken only when it is this short and
# continues the count: recitals and definitions are numbered the same way.
_FOOTNOTE_MAX_WORDS = 25


def _page_ends(lines: list[Line], dropped: set[int]) -> list[int]:
    """Where a page's own text ends: before each run of furniture or a page break."""
    ends = []
    for i, line in enumerate(lines):
        starts_run = (i in dropped or line.level < 0) and i > 0 and (
            i - 1 not in dropped and lines[i - 1].level >= 0)
        if starts_run:
            ends.append(i)
    ends.append(len(lines))
    return ends


def _marker(line: Line) -> int | None:
    match = FOOTNOTE_MARK.match(line.text)
    return int(match.group(1)) if match else None


def footnotes(lines: list[Line], dropped: set[int]) -> set[int]:
    """Indexes of footnote lines: numbered runs standing just above a page's end.

    Recitals and definitions are numbered "(n)" too; a run is taken for footnotes when it
    continues the document's footnote count and is short, or when every note reads as a
    reference ("OJ L 151, 7.6.2019, p. 15", "Regulation (EU) ...").
    """
    found: set[int] = set()
    last = 0
    above = _kept_above(lines, dropped)
    for end in _page_ends(lines, dropped):
        run: list[tuple[int, int, int]] = []  # (number, first line, end line), bottom up
        cursor = end
        while True:
            start = _note_start(lines, dropped, above, cursor)
            if start is None:
                break
            number = _marker(lines[start])
            if number is None or (run and number != run[-1][0] - 1):
                break
            run.append((number, start, cursor))
            cursor = start
        if run and _opens_page_or_section(lines, above, run[-1][1]):
            # "§ 4 Bußgeldvorschriften" then "(1) ...", "(2) ...": a section's numbered
            # paragraphs, which a page or the document happens to end with. Notes stand
            # under a page's text, never alone on it.
            continue
        # Only the notes that fit the count (or read as references) are taken.
        while run:
            notes = list(reversed(run))
            texts = [_note_text(lines, s, e, dropped) for _, s, e in notes]
            referential = all(_CITATION.search(t) for t in texts)
            short = all(len(t.split()) <= _FOOTNOTE_MAX_WORDS for t in texts)
            referential = referential and all(len(t.split()) <= 4 * _FOOTNOTE_MAX_WORDS
                                              for t in texts)
            if (notes[0][0] == last + 1 and short) or (referential and notes[0][0] > last):
                for _, s, e in notes:
                    found.update(range(s, e))
                last = notes[-1][0]
                break
            run.pop()  # the topmost may be a recital: try the notes below it alone
    return found


def _opens_page_or_section(lines: list[Line], above: list[int], start: int) -> bool:
    """Whether nothing of the page's text stands above `start`, or a heading does (a
    footnote's title that a converter made one aside)."""
    i = above[start]
    if i < 0 or lines[i].level < 0:
        return True
    if is_act_title(lines[i].text):
        return False
    return lines[i].heading or structural_heading(lines[i].text) is not None


def _kept_above(lines: list[Line], dropped: set[int]) -> list[int]:
    """For each index (and one past the last), the nearest line above it that is neither
    blank nor dropped (-1: none); worked out once, not by scanning up from every page's
    end (a page of 12,000 dropped lines between blanks made that quadratic)."""
    above = [-1] * (len(lines) + 1)
    for i in range(1, len(lines) + 1):
        kept = not lines[i - 1].blank and i - 1 not in dropped
        above[i] = i - 1 if kept else above[i - 1]
    return above


def _note_start(lines: list[Line], dropped: set[int], above: list[int],
                end: int) -> int | None:
    """The line opening the note that ends at `end` (exclusive), if it is numbered."""
    i = above[end]
    while i >= 0 and lines[i].level >= 0 and i not in dropped:
        if _marker(lines[i]) is not None:
            return i
        if lines[i].heading and not is_act_title(lines[i].text):
            return None
        i -= 1
    return None


def _note_text(lines: list[Line], start: int, end: int, dropped: set[int]) -> str:
    text = " ".join(lines[i].text for i in range(start, end) if i not in dropped)
    return FOOTNOTE_MARK.sub("", text, count=1).strip()


# A note an amending article carries inside the text it inserts: "(*)" under the text,
# then the reference ("REGULATION (EU) 2022/2554 ... (OJ L 333, 27.12.2022, p. 1).").
_STARRED = re.compile(r"\(\*{1,3}\)")
_NOTE_MAX_LINES = 8


def starred_notes(lines: list[Line], dropped: set[int]) -> set[int]:
    """Indexes of the lines of "(*)" notes that read as references: from the marker to
    the line that ends the note's sentence."""
    found: set[int] = set()
    for i, line in enumerate(lines):
        if line.level != 0 or not _STARRED.match(line.text) or i in dropped:
            continue
        note: list[int] = []
        for j in range(i, min(len(lines), i + _NOTE_MAX_LINES)):
            if j in dropped or lines[j].level < 0:
                continue
            after = lines[j]
            if after.blank or (after.heading and not is_act_title(after.text)):
                break
            note.append(j)
            if ends_sentence(after.text):
                break
        text = " ".join(lines[j].text for j in note)
        if _CITATION.search(_STARRED.sub("", text, count=1).strip()) or any(
                is_act_title(lines[j].text) for j in note):
            found.update(note)
    return found
