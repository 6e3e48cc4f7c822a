"""An HTML page's text as lines: what a reader of the page reads, without its furniture.

A page is read the way a browser lays it out: block elements (paragraphs, headings, list
items, divisions, table cells, definition terms) open and close lines, inline elements
(links, code, emphasis) run on inside them with the page's own spacing. Text that stands
in no paragraph ("<div>Bare text</div>", a definition list's "<dt>New File</dt>") is a
line like any other: reading only the paragraph tags lost it. Joining every text node
with a space wrote "Option< f64 >" and, once the space before a mark was taken out again,
"the double colon:: operator" and "is.Idle.py".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
)

from knowledge.reading.lines import BLANK, Line, clean_inline, plain_characters

_SKIPPED = ["script", "style", "nav", "footer", "header", "aside", "form", "noscript",
            "button", "svg", "template", "select", "textarea"]
# Page furniture marked by its class: what a page does not print ("noprint"), MediaWiki's
# (Wikipedia's) edit links in headings, navigation boxes, contents, reference lists and
# category links.
_SKIPPED_CLASSES = {"noprint", "mw-editsection", "navbox", "toc", "references", "reflist",
                    "mw-references-wrap", "catlinks", "printfooter", "mw-jump-link"}
# Elements that stand as lines of their own. Anything else runs on in the line around it.
_BLOCKS = frozenset([
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2",
    "h3", "h4", "h5", "h6", "hgroup", "hr", "html", "legend", "li", "main", "menu", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "ul"])
# Blocks that hold a line's text; a row of them at most one each is one line.
_TEXT_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "dt",
                "dd", "div"]
# A link to a note in the same page whose text is the note's number: "(1)", "¹", "[2]".
_NOTE_REFERENCE = re.compile(r"[(\[]?\s*\d{1,3}\s*[)\]]?")
# Inline, but not run into the word before: "2<sup>n</sup>", "Regulation<sup>3</sup>".
_APART = frozenset(["sup", "sub"])
# Not text: markup's comments, declarations and instructions.
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


def html_lines(text: str) -> tuple[str, list[Line]]:
    soup = BeautifulSoup(text, "html.parser")
    # What is not read is passed over, not taken out of the tree: taking thousands of
    # elements out of one paragraph's list of children is quadratic (32,000 buttons in a
    # paragraph took 129 s).
    passed = _covered(soup.find_all(lambda tag: tag.name in _SKIPPED or _is_furniture(tag)))
    around = _Around(passed)
    passed |= {id(link) for link in soup.find_all("a", href=re.compile(r"^#"))
               if id(link) not in passed and (
                   _is_permalink(link) or _is_note_reference(link, around)
                   or _is_contents_entry(link, around))}
    title = clean_inline(soup.title.get_text()) if soup.title else ""
    body = next((found for name in ("main", "article") for found in soup.find_all(name)
                 if id(found) not in passed), None) or soup.body or soup
    lines = _Lines()
    for event, node in _walk(body, passed):
        if event == "text":
            lines.add(str(node))
        elif event == "space":
            lines.add(" ")
        elif event == "open":
            lines.end()
        elif isinstance(node, Tag):
            lines.end(_heading_level(node.name))
    lines.end()
    if not title:
        title = next((line.text for line in lines.lines if line.level == 1), "")
    return title, _without_navigation(lines.lines, soup, passed)


# A link to another page said this often, each time as a line of its own, is the site's
# navigation ("Nichtamtliches Inhaltsverzeichnis" over every section of a statute at
# gesetze-im-internet.de), not the page's text. (A web page has no pages whose edges would
# show a running header.)
_NAVIGATION_REPEATS = 3


def _without_navigation(lines: list[Line], soup: BeautifulSoup, passed: set[int]
                        ) -> list[Line]:
    said = Counter(clean_inline(plain_characters(link.get_text()))
                   for link in soup.find_all("a", href=re.compile(r"^(?!#)"))
                   if id(link) not in passed)
    repeated = {text for text, count in said.items() if text and count >= _NAVIGATION_REPEATS}
    if not repeated:
        return lines
    standing = Counter(line.text for line in lines if line.text in repeated)
    return [BLANK if standing.get(line.text, 0) >= _NAVIGATION_REPEATS else line
            for line in lines]


class _Lines:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self._parts: list[str] = []

    def add(self, text: str) -> None:
        self._parts.append(text)

    def end(self, level: int = 0) -> None:
        content = clean_inline(plain_characters("".join(self._parts)))
        self._parts = []
        if content:
            self.lines += [Line(content, level), BLANK]


def _walk(top: PageElement, passed: set[int]) -> Iterator[tuple[str, PageElement]]:
    """Text nodes ("text"), blocks as they open ("open") and close ("close"), and line
    breaks and the edges of blocks inside a row read as one line ("space"); elements in
    `passed` (by id) not at all. Without recursion: a page nesting divisions ten thousand
    deep is outside input."""
    stack: list[tuple[PageElement, bool, bool]] = [(top, False, False)]
    while stack:
        node, closing, in_row = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                yield "text", node
            continue
        if not isinstance(node, Tag) or id(node) in passed:
            continue
        # Inside a row read as one line, a block's edges are spaces; a sup is set apart
        # from the word before it, not from the mark after it ("Regulation 3, which").
        apart = in_row or node.name in _APART
        if closing:
            if in_row or node.name not in _APART:
                yield ("space" if in_row else "close"), node
            continue
        if node.name == "br":
            yield "space", node
            continue
        row = not in_row and node.name == "tr" and _one_line_row(node)
        if node.name in _BLOCKS or node.name in _APART:
            yield ("space" if apart else "open"), node
            stack.append((node, True, in_row))
        inside = in_row or row
        stack.extend((child, False, inside) for child in reversed(list(node.children)))


def _one_line_row(row: Tag) -> bool:
    """A table row whose cells hold one block each at most is one line (EUR-Lex prints a
    recital or a point as a row: "(12)" and its text); a layout table's row, whose cells
    hold paragraphs, is read block by block."""
    cells = row.find_all(["td", "th"], recursive=False)
    return not row.find("table") and all(
        len(cell.find_all(_TEXT_BLOCKS)) <= 1 for cell in cells)


def _heading_level(name: str) -> int:
    return int(name[1]) if len(name) == 2 and name[0] == "h" and name[1].isdigit() else 0


def _is_furniture(tag: Tag) -> bool:
    classes = tag.get_attribute_list("class")
    return (not _SKIPPED_CLASSES.isdisjoint(classes) or tag.get("role") == "navigation"
            or tag.get("aria-hidden") == "true" or tag.has_attr("hidden"))


def _is_permalink(link: Tag) -> bool:
    """A heading's link to itself, shown as a mark: Sphinx's "¶", rustdoc's "§", "#"."""
    text = link.get_text().strip()
    return len(text) == 1 and not text.isalnum()


def _covered(tags: list[Tag]) -> set[int]:
    """The ids of the tags (in document order) and of everything inside them; a tag
    inside one read already is not read again."""
    covered: set[int] = set()
    for tag in tags:
        if id(tag) not in covered:
            covered.add(id(tag))
            covered.update(id(inner) for inner in tag.descendants)
    return covered


def _strings(top: PageElement, passed: set[int],
             aside: tuple[str, ...] = ()) -> Iterator[str]:
    """The text under an element, in order, without what is passed over and without the
    elements named in `aside`; without recursion."""
    stack = [top]
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, _NOT_TEXT):
                yield str(node)
        elif isinstance(node, Tag) and id(node) not in passed and (
                node is top or node.name not in aside):
            stack.extend(reversed(list(node.children)))


class _Around:
    """What the link rules ask of a link's list item or block, worked out once for each:
    asked again for every link, a paragraph of 8,000 links took 167 s."""

    # A note's number is short: the opening of a block that may start with it.
    OPENING = 16

    def __init__(self, passed: set[int]) -> None:
        self._passed = passed
        self._own: dict[int, str] = {}
        self._openings: dict[int, str] = {}

    def own_text(self, item: Tag) -> str:
        """A list item's text, its sublists aside, white space folded."""
        if id(item) not in self._own:
            own = "".join(_strings(item, self._passed, aside=("ul", "ol")))
            self._own[id(item)] = " ".join(own.split())
        return self._own[id(item)]

    def opening(self, block: Tag) -> str:
        """The first characters of a block's text."""
        if id(block) not in self._openings:
            found = ""
            for piece in _strings(block, self._passed):
                found = (found + piece).lstrip()
                if len(found) >= self.OPENING:
                    break
            self._openings[id(block)] = found
        return self._openings[id(block)]


def _is_contents_entry(link: Tag, around: _Around) -> bool:
    """A contents list's entry: a list item whose own text (its sublist aside) is a link
    to a place in the same page."""
    item = _near_parent(link, ("li",))
    return item is not None and around.own_text(item) == " ".join(link.get_text().split())


def _is_note_reference(link: Tag, around: _Around) -> bool:
    """A reference in running text to a note, which opens with its own number and is
    dropped as a footnote; the note's own number link is kept."""
    number = link.get_text().strip()
    if not _NOTE_REFERENCE.fullmatch(number):
        return False
    block = _near_parent(link, _TEXT_BLOCKS)
    return block is None or not around.opening(block).startswith(number)


# How far up from a link its list item or block is looked for: a link sits in its item
# or paragraph, or a few wrappers (strong, span) inside it. Looking up to the page's root
# for each link was quadratic in a page of links nested in each other's divisions.
_NEAR = 6


def _near_parent(link: Tag, names: tuple[str, ...] | list[str]) -> Tag | None:
    for level, parent in enumerate(link.parents):
        if level >= _NEAR:
            break
        if parent.name in names:
            return parent
    return None
