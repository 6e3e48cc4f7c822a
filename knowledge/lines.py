"""Every source format as one thing: a sequence of lines, some of them headings.

Structure is decided later from the text (see ``structure.py``); a format only says what
it knows for sure: a Markdown or HTML heading and its level, a blank line, a page break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAGE_BREAK = -1
_WRAP_WIDTH = 160


@dataclass(frozen=True)
class Line:
    text: str
    level: int = 0  # heading level from the format (1-6); 0 for body text, -1 a page break

    @property
    def blank(self) -> bool:
        return self.level == 0 and not self.text

    @property
    def heading(self) -> bool:
        return self.level > 0


BLANK = Line("")
BREAK = Line("", PAGE_BREAK)

# What extracted text holds that nobody typed: a font's ligatures ("ﬁnancial"), soft
# hyphens (where a word may break: "Verant\xadwortung"), zero-width marks, the
# non-breaking hyphen. Lexical matching (the word overlap, definitions, a team's expected
# phrases) sees the letters a reader sees.
_TYPESET = str.maketrans({
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st", "\u2011": "-", "\xad": None, "\u200b": None,
    "\u2060": None, "\ufeff": None,
})
# A word broken at a soft hyphen at a line's end is one word.
_SOFT_BREAK = re.compile(r"\xad[ \t]*\r?\n[ \t]*")


def plain_characters(text: str) -> str:
    return _SOFT_BREAK.sub("", text).translate(_TYPESET)


_MD_HEADING = re.compile(r"#{1,6}(?=\s)")
EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_WHITESPACE = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    """Drop markdown emphasis markers and fold white space."""
    return _WHITESPACE.sub(" ", EMPHASIS.sub(r"\2", text)).strip()

_MD_RULE = re.compile(r"(?:[-*_]\s*){3,}")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _heading(line: str) -> Line | None:
    # A plain match, not one regex over the whole line: "#" followed by 48,000 spaces must
    # not take quadratic time.
    marks = _MD_HEADING.match(line)
    if not marks:
        return None
    text = line[marks.end():].strip().rstrip("#").strip()
    return Line(text, marks.end()) if text else BLANK


def markdown_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    in_fence = False
    for raw in _HTML_COMMENT.sub("", plain_characters(text.replace("\r\n", "\n"))).split("\n"):
        line = raw.strip()
        if line.startswith("```"):
            in_fence = not in_fence
            lines.append(BLANK)
            continue
        if in_fence:
            lines.append(Line(line))
            continue
        heading = _heading(line)
        if heading is not None:
            lines.append(heading)
        elif _MD_RULE.fullmatch(line):
            lines.append(BLANK)
        else:
            lines.append(Line(line))
    return lines


def text_lines(text: str) -> list[Line]:
    # A form feed (pdftotext's page end) is a page break.
    raw = plain_characters(text.replace("\r\n", "\n").replace("\r", "\n")).replace(
        "\f", "\n\f\n")
    lines: list[Line] = []
    for line in raw.split("\n"):
        if line == "\f":
            lines.append(BREAK)
        elif len(line) > _WRAP_WIDTH:
            # Longer than any wrapping width: a paragraph per line (the essay's form).
            lines += [BLANK, Line(line.strip()), BLANK]
        else:
            lines.append(Line(line.strip()))
    return lines


def page_lines(pages: list[str]) -> list[Line]:
    """Lines of a paginated document (a PDF's pages), with page breaks between pages."""
    lines: list[Line] = []
    for page in pages:
        if lines:
            lines.append(BREAK)
        lines += text_lines(page)
    return lines
