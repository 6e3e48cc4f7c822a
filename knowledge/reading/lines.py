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


# Markdown's inline markup, which a reader of the rendered page does not see: a link or an
# image is its text, a code span its content, an escaped mark the mark; a reference
# definition ("[1]: https://...") and a quote's ">" are not text. Bounded spans: a line of
# 50,000 "[" must not take quadratic time.
_MD_IMAGE_OR_LINK = re.compile(
    r"!?\[([^\[\]\n]{0,500})\](?:\((?:[^()\s]|\([^()\s]{0,200}\)){0,2000}"
    r'(?:\s+"[^"\n]{0,200}")?\)|\[[^\[\]\n]{0,200}\])')
_MD_CODE = re.compile(r"``(?!`)([^\n]{1,2000}?)``|`([^`\n]{1,2000})`")
_MD_AUTOLINK = re.compile(r"<((?:https?|mailto):[^<>\s]{1,2000})>")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_REFERENCE_DEFINITION = re.compile(r"\[[^\[\]\n]{1,200}\]:\s+\S")
_MD_QUOTE = re.compile(r"(?:>\s?)+")
_SET_ASIDE = re.compile("\ue000(\\d+)\ue001")
# A contents list's entry: a list item that is only a link to a place in the same
# document ("* **[Installation](#installation)**").
_MD_CONTENTS_ENTRY = re.compile(
    r"(?:[*+-]|\d{1,3}[.)])\s+(?:\*\*|__)?\[[^\[\]\n]{1,300}\]\(#[^()\s]{0,300}\)(?:\*\*|__)?")


def _markdown_inline(line: str) -> str:
    r"""The line as rendered. A code span's content stays as written
    ("server[Symbol.dispose]()" holds no link, "\\?\pipe\" no escapes) and may stand in
    a link's text ("[`close()`][]"): it is set aside, marked by two private-use
    characters (dropped from the line first), while the rest is read."""
    spans: list[str] = []

    def aside(code: re.Match[str]) -> str:
        spans.append((code.group(1) or code.group(2)).strip())
        return f"\ue000{len(spans) - 1}\ue001"

    text = _MD_CODE.sub(aside, line.replace("\ue000", "").replace("\ue001", ""))
    # Twice: a badge is an image inside a link ("[![build](badge.svg)](ci-url)").
    text = _MD_IMAGE_OR_LINK.sub(r"\1", _MD_IMAGE_OR_LINK.sub(r"\1", text))
    text = _MD_ESCAPE.sub(r"\1", _MD_AUTOLINK.sub(r"\1", text))
    return _SET_ASIDE.sub(lambda mark: spans[int(mark.group(1))], text)


# Front matter: YAML between "---" lines (or TOML between "+++") at a file's very start, as
# static-site generators and bundestag/gesetze write it. Metadata, never text: read as text
# it became a passage ("Title: ... jurabk: BDSG layout: default origslug: ...").
_FRONT_MATTER = re.compile(r"\A\ufeff?(?P<mark>---|\+\+\+)[ \t]*\r?\n(?P<body>.*?)\r?\n"
                           r"(?:(?P=mark)|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_MATTER_MAX_CHARS = 20_000
_FRONT_TITLE = re.compile(r"^title\s*[:=]\s*(?P<title>.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def front_matter(text: str) -> tuple[str, str]:
    """The title a Markdown file's front matter gives ("" if none) and the text after it."""
    found = _FRONT_MATTER.match(text[:_FRONT_MATTER_MAX_CHARS])
    if found is None:
        return "", text
    title = _FRONT_TITLE.search(found["body"])
    return (title["title"].strip("\"'") if title else ""), text[found.end():]


def markdown_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    in_fence = False
    for raw in _HTML_COMMENT.sub("", plain_characters(text.replace("\r\n", "\n"))).split("\n"):
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
            lines.append(BLANK)
            continue
        if in_fence:
            lines.append(Line(line))
            continue
        if _MD_REFERENCE_DEFINITION.match(line) or _MD_CONTENTS_ENTRY.fullmatch(line):
            lines.append(BLANK)
            continue
        quote = _MD_QUOTE.match(line)
        line = _markdown_inline(line[quote.end():] if quote else line)
        heading = _heading(line)
        underlined = _underlined(lines, line)
        if heading is not None:
            lines.append(heading)
        elif underlined:
            # Setext: "Title" over "=====" is a level-1 heading, over "-----" level 2.
            lines[-1] = Line(lines[-1].text, underlined)
        elif _MD_RULE.fullmatch(line):
            lines.append(BLANK)
        else:
            lines.append(Line(line))
    return lines


# A line underlining the one above it: "1. Definitions" over "--------------".
_UNDERLINE = re.compile(r"(=+|-+)")
_UNDERLINED_MAX_CHARS = 100


def _title_above(lines: list[Line]) -> Line | None:
    """The last line, where an underline could make it a heading: a short one of its own,
    after a blank, a heading or at the start (a rule under a paragraph's last line is a
    rule)."""
    if not lines:
        return None
    above = lines[-1]
    if above.level != 0 or not above.text or len(above.text) > _UNDERLINED_MAX_CHARS:
        return None
    if len(lines) > 1 and not lines[-2].blank and lines[-2].level <= 0:
        return None
    return above


def _underlined(lines: list[Line], line: str) -> int:
    """The heading level a rule line gives the line above it (1 for "===", 2 for "---"),
    0 when it underlines nothing (see _title_above)."""
    if len(line) < 3 or not _UNDERLINE.fullmatch(line) or _title_above(lines) is None:
        return 0
    return 1 if line[0] == "=" else 2


def text_lines(text: str) -> list[Line]:
    # A form feed (pdftotext's page end) is a page break.
    raw = plain_characters(text.replace("\r\n", "\n").replace("\r", "\n")).replace(
        "\f", "\n\f\n")
    lines: list[Line] = []
    framed = False
    for line in raw.split("\n"):
        stripped = line.strip()
        if line == "\f":
            lines.append(BREAK)
        elif len(line) > _WRAP_WIDTH:
            # Longer than any wrapping width: a paragraph per line (the essay's form).
            lines += [BLANK, Line(stripped), BLANK]
        elif _adorned(lines, stripped):
            # reStructuredText's underlines (Sphinx's text builder: "****", "====", "----",
            # "^^^^"): as long as the title at least, so a box's edge of stars is none.
            lines.append(BLANK)
        elif _FRAME_EDGE.fullmatch(stripped):
            # A box of stars around a disclaimer: its edges are no text.
            framed = not framed
            lines.append(BLANK)
        else:
            if framed and len(stripped) > 1 and stripped[0] == stripped[-1] == "*":
                stripped = stripped[1:-1].strip()
            # Plain text has no heading levels to give: an underlined line stands alone
            # (a paragraph of its own reads as a heading), and the rule goes.
            lines.append(BLANK if _underlined(lines, stripped) else Line(stripped))
    return lines


_FRAME_EDGE = re.compile(r"\*{10,}")
_ADORNMENT = re.compile(r"([=\-~^*+#\"'`:._])\1{2,}")


def _adorned(lines: list[Line], line: str) -> bool:
    """Whether the line underlines the one above as reStructuredText does: one mark
    repeated at least as long as the title, which stands on a line of its own."""
    above = _title_above(lines) if _ADORNMENT.fullmatch(line) else None
    return above is not None and len(line) >= len(above.text)


def page_lines(pages: list[str]) -> list[Line]:
    """Lines of a paginated document (a PDF's pages), with page breaks between pages."""
    lines: list[Line] = []
    for page in pages:
        if lines:
            lines.append(BREAK)
        lines += text_lines(page)
    return lines
