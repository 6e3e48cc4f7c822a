"""Turning files and URLs into their text: a source's bytes, from its file or the URL
cache, read by their format (the passages are cut later, by the refresh)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from knowledge.core.errors import SourceError
from knowledge.reading.formats import ReadText, read_bytes
from knowledge.sources.discovery import SourceSpec


class Cached(Protocol):
    """Where a URL source's bytes come from (the URL cache; an offered document's own)."""

    def get(self, url: str) -> tuple[bytes, str, str]:
        """Body, content type and a note for the refresh summary."""


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


def load(spec: SourceSpec, cache: Cached, max_words: int = 0) -> Loaded:
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
    return Loaded(spec, read_bytes(data, kind), spec.fallback_title or fallback, note)
