"""Finding sources and turning files and URLs into SourceDocuments."""

from __future__ import annotations

import io
import json
import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from bs4 import BeautifulSoup, Tag

from knowledge.documents import Block, SourceDocument, stable_hash
from knowledge.errors import SourceError
from knowledge.languages import code_of, detect
from knowledge.lines import BLANK, Line, clean_inline, markdown_lines, page_lines, text_lines
from knowledge.splitting import document_blocks

MANIFEST_NAME = "sources.toml"
SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}


@dataclass(frozen=True)
class SourceSpec:
    """Where one source comes from and what the manifest says about it."""

    key: str  # path relative to its sources folder, or the URL
    path: Path | None
    url: str  # the fetched URL for URL sources, an optional link for files
    title: str = ""
    language: str = ""

    @property
    def is_remote(self) -> bool:
        return self.path is None


def discover(locations: list[Path]) -> tuple[list[SourceSpec], list[tuple[str, str]]]:
    """All sources under the configured folders and files, and problems found on the way."""
    specs: dict[str, SourceSpec] = {}
    problems: list[tuple[str, str]] = []
    for location in locations:
        if location.is_file():
            found = [SourceSpec(key=location.name, path=location, url="")]
        elif location.is_dir():
            try:
                found = _folder_sources(location)
            except SourceError as error:
                problems.append((str(location / MANIFEST_NAME), str(error)))
                found = _folder_files(location, {})
        else:
            problems.append((str(location), "no such file or folder"))
            continue
        for spec in found:
            if spec.key in specs:
                problems.append((spec.key, "listed twice; the first one is used"))
            else:
                specs[spec.key] = spec
    return sorted(specs.values(), key=lambda s: s.key), problems


def _folder_sources(folder: Path) -> list[SourceSpec]:
    manifest = folder / MANIFEST_NAME
    entries: dict[str, SourceSpec] = {}
    remote: list[SourceSpec] = []
    if manifest.exists():
        try:
            data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise SourceError(f"manifest unreadable: {error}") from error
        for number, entry in enumerate(data.get("source", []), start=1):
            if not isinstance(entry, dict) or ("file" in entry) == ("url" in entry):
                raise SourceError(f"entry {number} needs exactly one of 'file' or 'url'")
            title = str(entry.get("title", ""))
            language = str(entry.get("language", ""))
            if "url" in entry:
                url = str(entry["url"])
                remote.append(SourceSpec(key=url, path=None, url=url, title=title,
                                         language=language))
            else:
                relative = str(entry["file"])
                entries[relative] = SourceSpec(
                    key=relative, path=folder / relative, url=str(entry.get("link", "")),
                    title=title, language=language,
                )
    return _folder_files(folder, entries) + remote


def _folder_files(folder: Path, listed: dict[str, SourceSpec]) -> list[SourceSpec]:
    specs = dict(listed)
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            key = path.relative_to(folder).as_posix()
            specs.setdefault(key, SourceSpec(key=key, path=path, url=""))
    return list(specs.values())


# --- parsing ------------------------------------------------------------------------


def parse_bytes(data: bytes, kind: str, fallback_title: str) -> tuple[str, list[Block]]:
    """Title and passage-sized blocks of a document's bytes; kind is a suffix without dot."""
    if kind == "pdf":
        title, lines = pdf_lines(data)
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


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise SourceError("binary data where text was expected")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_HTML_SKIP = ["script", "style", "nav", "footer", "header", "aside", "form", "noscript"]
_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td"]


def html_lines(text: str) -> tuple[str, list[Line]]:
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup(_HTML_SKIP):
        tag.decompose()
    title = clean_inline(soup.title.get_text()) if soup.title else ""
    body = soup.find("main") or soup.find("article") or soup.body or soup
    lines: list[Line] = []
    for element in body.find_all(_HTML_BLOCKS) if isinstance(body, Tag) else []:
        if element.find_parent(_HTML_BLOCKS):
            continue  # its text is part of the enclosing block
        # Tags are joined with spaces; a space before punctuation is an artefact of that.
        content = re.sub(r"\s+([.,;:!?])", r"\1", clean_inline(element.get_text(" ")))
        if not content:
            continue
        name = element.name or ""
        level = int(name[1]) if name[:1] == "h" and name[1:].isdigit() else 0
        lines += [Line(content, level), BLANK]
    if not title:
        title = next((line.text for line in lines if line.level == 1), "")
    return title, lines


def pdf_lines(data: bytes) -> tuple[str, list[Line]]:
    from pypdf import PdfReader  # noqa: PLC0415  (pypdf is only needed for PDFs)
    from pypdf.errors import PdfReadError  # noqa: PLC0415

    try:
        reader = PdfReader(io.BytesIO(data))
        title = str(reader.metadata.title or "") if reader.metadata else ""
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise SourceError(f"not a readable PDF ({type(error).__name__})") from error
    if not any(page.strip() for page in pages):
        raise SourceError("the PDF has no extractable text")
    return clean_inline(title), page_lines(pages)


# --- loading --------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    document: SourceDocument
    note: str = ""  # e.g. "unreachable, kept the copy fetched on 2026-11-01"


Fetcher = Callable[[str], tuple[bytes, str]]


def http_fetcher(timeout: float) -> Fetcher:
    def fetch(url: str) -> tuple[bytes, str]:
        response = httpx.get(url, timeout=timeout, follow_redirects=True,
                             headers={"User-Agent": "policybot (knowledge refresh)"})
        response.raise_for_status()
        return response.content, response.headers.get("content-type", "")

    return fetch


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
    if "html" in content_type:
        return "html"
    if "markdown" in content_type or url.lower().endswith((".md", ".markdown")):
        return "md"
    return "txt"


def load(spec: SourceSpec, cache: UrlCache) -> Loaded:
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
    title, blocks = parse_bytes(data, kind, fallback)
    if not blocks:
        raise SourceError("no text found")
    language = code_of(spec.language) or detect(" ".join(b.text for b in blocks[:40]))
    document = SourceDocument(
        source=spec.key,
        title=spec.title or title,
        language=language,
        url=spec.url,
        blocks=tuple(blocks),
    )
    return Loaded(document=document, note=note)
