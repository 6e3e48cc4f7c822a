"""Turning files and URLs into their text: a source's bytes, from its file or the URL
cache, read by their format (the passages are cut later, by the refresh)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.core.errors import SourceError
from knowledge.reading.formats import ReadText, read_bytes
from knowledge.sources.discovery import SourceSpec
from knowledge.sources.url_cache import UrlCache


@dataclass(frozen=True)
class Loaded:
    """A source's text as its format gives it, before any passage is cut."""

    spec: SourceSpec
    text: ReadText
    fallback_title: str  # what to call it when nothing else names it: its file or URL
    note: str = ""  # e.g. "unreachable, kept the copy fetched on 2026-11-01"


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
    """A source's text, from its file or the URL cache (see `load_bytes`)."""
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
    return load_bytes(spec, data, kind, max_words, fallback, note)


def load_bytes(spec: SourceSpec, data: bytes, kind: str, max_words: int = 0,
               fallback: str = "", note: str = "") -> Loaded:
    """A source's text from its bytes, of a kind known (a suffix without dot).
    `max_words` (when set): a text source with more words is refused before it is
    parsed; parsing 50 MB of HTML takes a gigabyte and tens of seconds, only to yield more
    passages than a source may have."""
    if max_words and kind not in {"pdf", "docx"}:  # compressed: bytes say nothing
        words = data.count(b" ") + data.count(b"\n")  # an upper bound: markup counts too
        if words > max_words:
            raise SourceError(f"about {words:,} words: more than its passages may hold "
                              "(POLICYBOT_MAX_PASSAGES_PER_SOURCE)")
    return Loaded(spec, read_bytes(data, kind), spec.fallback_title or fallback, note)
