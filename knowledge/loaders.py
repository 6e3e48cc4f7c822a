"""Turning files and URLs into SourceDocuments."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from bs4 import BeautifulSoup, Tag

from knowledge.discovery import SourceSpec
from knowledge.documents import Block, SourceDocument, stable_hash
from knowledge.errors import SourceError
from knowledge.fetching import FetchRefused
from knowledge.languages import code_of, detect
from knowledge.lines import (
    BLANK,
    Line,
    clean_inline,
    markdown_lines,
    page_lines,
    plain_characters,
    text_lines,
)
from knowledge.pdf_text import pdf_pages
from knowledge.splitting import document_blocks
from knowledge.word_files import docx_lines

# --- parsing ------------------------------------------------------------------------


def parse_bytes(data: bytes, kind: str, fallback_title: str) -> tuple[str, list[Block]]:
    """Title and passage-sized blocks of a document's bytes; kind is a suffix without dot."""
    if kind == "pdf":
        title, lines = pdf_lines(data)
    elif kind == "docx":
        title, lines = docx_lines(data)
    else:
        text = _decode(data)
        if kind in {"html", "htm"}:
            title, lines = html_lines(text)
        elif kind in {"md", "markdown"}:
            title, lines = "", markdown_lines(text)
        else:
            title, lines = "", text_lines(text)
    title, blocks = document_blocks(lines, title)
    return title or fallback_title, blocks


# Text in which more than this share of characters are controls or undecodable is not text.
MAX_GARBAGE_SHARE = 0.02
_GARBAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SourceError("not valid UTF-16 text") from error
    if b"\x00" in data[:4096]:
        raise SourceError("binary data where text was expected")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:100_000]
    if sample and len(_GARBAGE.findall(sample)) > MAX_GARBAGE_SHARE * len(sample):
        raise SourceError("binary data where text was expected")
    return text


_HTML_SKIP = ["script", "style", "nav", "footer", "header", "aside", "form", "noscript"]
# Page furniture marked by its class: what a page does not print ("noprint"), MediaWiki's
# (Wikipedia's) edit links in headings, navigation boxes, contents, reference lists and
# category links.
_HTML_SKIP_CLASSES = {"noprint", "mw-editsection", "navbox", "toc", "references", "reflist",
                      "mw-references-wrap", "catlinks", "printfooter", "mw-jump-link"}
_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "tr", "td",
                "th"]
# Lines unless they hold blocks of their own, which are then read one by one.
_HTML_CONTAINERS = {"li", "blockquote", "td", "th"}
# Tags are joined with spaces: a space before punctuation, or inside "( 1 )" where the
# number was a tag of its own, is an artefact of that.
_SPACED_MARK = re.compile(r"\s+([.,;:!?])")
_BRACKETED_MARK = re.compile(r"\(\s*(\w{1,4})\s*\)")
# A link to a note in the same page whose text is the note's number: "(1)", "¹", "[2]".
_NOTE_REFERENCE = re.compile(r"[(\[]?\s*\d{1,3}\s*[)\]]?")


def html_lines(text: str) -> tuple[str, list[Line]]:
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(_HTML_SKIP):
        tag.decompose()
    for tag in soup.find_all(_is_furniture_element):
        tag.decompose()
    for link in soup.find_all("a", href=re.compile(r"^#")):
        number = link.get_text().strip()
        if not _NOTE_REFERENCE.fullmatch(number):
            continue
        block = link.find_parent(_HTML_BLOCKS)
        if block is None or not block.get_text().lstrip().startswith(number):
            # A reference in running text; the note it points to opens with its own
            # number and is dropped as a footnote.
            link.decompose()
    title = clean_inline(soup.title.get_text()) if soup.title else ""
    body = soup.find("main") or soup.find("article") or soup.body or soup
    lines: list[Line] = []
    for element in _line_elements(body) if isinstance(body, Tag) else []:
        content = _BRACKETED_MARK.sub(r"(\1)", _SPACED_MARK.sub(
            r"\1", clean_inline(plain_characters(element.get_text(" ")))))
        if not content:
            continue
        name = element.name or ""
        level = int(name[1]) if name[:1] == "h" and name[1:].isdigit() else 0
        lines += [Line(content, level), BLANK]
    if not title:
        title = next((line.text for line in lines if line.level == 1), "")
    return title, lines


def _line_elements(body: Tag) -> list[Tag]:
    """The elements read as lines, in document order. A table row whose cells hold one
    block each at most is one line (EUR-Lex prints a recital or a point as a row: "(12)"
    and its text); a row, cell, list item or quote whose text all stands in blocks of its
    own (a layout table's cell of paragraphs) is read block by block."""
    taken: set[int] = set()
    found: list[Tag] = []
    for element in body.find_all(_HTML_BLOCKS):
        if any(id(parent) in taken for parent in element.parents):
            continue  # its text is part of the enclosing line
        if element.name == "tr":
            cells = element.find_all(["td", "th"], recursive=False)
            if element.find("table") or any(
                    len(cell.find_all(_HTML_BLOCKS)) > 1 for cell in cells):
                continue
        elif (element.name in _HTML_CONTAINERS and element.find(_HTML_BLOCKS)
              and not _holds_loose_text(element)):
            continue  # all its text stands in its blocks
        taken.add(id(element))
        found.append(element)
    return found


def _is_furniture_element(tag: Tag) -> bool:
    classes = tag.get_attribute_list("class")
    return (not _HTML_SKIP_CLASSES.isdisjoint(classes) or tag.get("role") == "navigation"
            or tag.get("aria-hidden") == "true" or tag.has_attr("hidden"))


def _holds_loose_text(element: Tag) -> bool:
    """Whether text stands in the element outside its blocks ("<li>Punkt <p>innen</p>")."""
    for child in element.children:
        if isinstance(child, Tag):
            if (child.name not in _HTML_BLOCKS and child.get_text(strip=True)
                    and child.find(_HTML_BLOCKS) is None):
                return True
        elif str(child).strip():
            return True
    return False


def pdf_lines(data: bytes) -> tuple[str, list[Line]]:
    title, pages = pdf_pages(data)  # in a confined worker process (knowledge/pdf_text.py)
    if not any(page.strip() for page in pages):
        raise SourceError("the PDF has no extractable text")
    return clean_inline(title), page_lines(pages)


# --- loading --------------------------------------------------------------------------


class EmptySource(SourceError):
    """The source is there but holds no text (an emptied file): its passages go."""


@dataclass(frozen=True)
class Loaded:
    document: SourceDocument
    note: str = ""  # e.g. "unreachable, kept the copy fetched on 2026-11-01"


Fetcher = Callable[[str], tuple[bytes, str]]


class UrlCache:
    """Fetched URL sources, kept in the data dir so an unreachable URL keeps its copy."""

    def __init__(self, folder: Path, max_age_seconds: float, fetcher: Fetcher | None) -> None:
        self.folder = folder
        self.max_age_seconds = max_age_seconds
        self.fetcher = fetcher  # None: never fetch (offline)

    def _paths(self, url: str) -> tuple[Path, Path]:
        name = stable_hash(url, length=24)
        return self.folder / f"{name}.body", self.folder / f"{name}.json"

    def get(self, url: str) -> tuple[bytes, str, str]:
        """Body, content type and a note for the refresh summary (empty when fresh)."""
        body_path, meta_path = self._paths(url)
        cached: dict[str, object] | None = None
        if body_path.exists() and meta_path.exists():
            cached = json.loads(meta_path.read_text(encoding="utf-8"))
        if cached is not None and time.time() - float(str(cached["fetched_at"])) < (
            self.max_age_seconds
        ):
            return body_path.read_bytes(), str(cached["content_type"]), ""
        if self.fetcher is None:
            problem = "not fetched (offline)"
        else:
            try:
                body, content_type = self.fetcher(url)
            except FetchRefused as error:
                problem = str(error)
            except httpx.HTTPStatusError as error:
                problem = f"unreachable (HTTP {error.response.status_code})"
            except (httpx.HTTPError, OSError) as error:
                problem = f"unreachable ({type(error).__name__})"
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                body_path.write_bytes(body)
                meta = {"url": url, "content_type": content_type, "fetched_at": time.time()}
                meta_path.write_text(json.dumps(meta), encoding="utf-8")
                return body, content_type, ""
        if cached is None:
            raise SourceError(f"{problem}, and no cached copy")
        day = time.strftime("%Y-%m-%d", time.gmtime(float(str(cached["fetched_at"]))))
        return body_path.read_bytes(), str(cached["content_type"]), (
            f"{problem}, kept the copy fetched on {day}"
        )


def _kind_of(url: str, content_type: str) -> str:
    content_type = content_type.lower()
    if "pdf" in content_type or url.lower().endswith(".pdf"):
        return "pdf"
    if "wordprocessingml" in content_type or url.lower().endswith(".docx"):
        return "docx"
    if "html" in content_type:
        return "html"
    if "markdown" in content_type or url.lower().endswith((".md", ".markdown")):
        return "md"
    return "txt"


def load(spec: SourceSpec, cache: UrlCache, max_words: int = 0) -> Loaded:
    """`max_words` (when set): a text source with more words is refused before it is
    parsed; parsing 50 MB of HTML takes a gigabyte and tens of seconds, only to yield more
    passages than a source may have."""
    note = ""
    if spec.path is not None:
        try:
            data = spec.path.read_bytes()
        except OSError as error:
            raise SourceError(f"unreadable ({error.strerror or type(error).__name__})") from error
        kind = spec.path.suffix.lower().lstrip(".")
        fallback = spec.path.stem.replace("_", " ").replace("-", " ")
    else:
        data, content_type, note = cache.get(spec.url)
        kind = _kind_of(spec.url, content_type)
        fallback = spec.url
    if max_words and kind not in {"pdf", "docx"}:  # compressed: bytes say nothing
        words = data.count(b" ") + data.count(b"\n")  # an upper bound: markup counts too
        if words > max_words:
            raise SourceError(f"about {words:,} words: more than its passages may hold "
                              "(POLICYBOT_MAX_PASSAGES_PER_SOURCE)")
    title, blocks = parse_bytes(data, kind, fallback)
    if not blocks:
        raise EmptySource("no text found")
    language = code_of(spec.language) or detect(" ".join(b.text for b in blocks[:40]))
    document = SourceDocument(
        source=spec.key,
        title=spec.title or title,
        language=language,
        url=spec.url,
        blocks=tuple(blocks),
    )
    return Loaded(document=document, note=note)
