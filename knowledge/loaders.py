"""Turning files and URLs into SourceDocuments."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from knowledge.discovery import SourceSpec
from knowledge.documents import Block, SourceDocument, stable_hash
from knowledge.errors import SourceError
from knowledge.fetching import FetchRefused
from knowledge.html_text import html_lines
from knowledge.languages import code_of, detect
from knowledge.lines import (
    Line,
    clean_inline,
    markdown_lines,
    page_lines,
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
