"""The units the knowledge base is made of: source documents, passages, sentences."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# Bumped whenever loading or splitting changes what passages (or sentences: a search reads
# a sentence by its index in the passage) a document yields, so that
# every document is re-split and re-embedded once after an upgrade.
PIPELINE_VERSION = "7"


def stable_hash(*parts: str, length: int = 16) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass(frozen=True)
class Block:
    """A passage-sized unit of a source with its heading path, before ids are given."""

    text: str
    section: str


@dataclass(frozen=True)
class SourceDocument:
    """One loaded source: a file under a sources folder, or a fetched URL."""

    source: str  # path relative to its sources folder, or the URL
    title: str
    language: str
    url: str  # link shown in citations; empty for local files without one
    blocks: tuple[Block, ...]

    @property
    def version(self) -> str:
        """Content fingerprint: equal versions need no re-embedding."""
        body = "\n".join(f"{b.section}\x1e{b.text}" for b in self.blocks)
        return stable_hash(PIPELINE_VERSION, self.source, self.title, self.url, self.language,
                           body)


@dataclass(frozen=True)
class Passage:
    """A citable unit: one paragraph, or one part of a long paragraph."""

    id: str
    source: str
    title: str
    section: str
    paragraph: int  # 1-based position of the paragraph in its document
    part: int  # 1-based part of a long paragraph; 1 when not split
    text: str
    url: str
    language: str
    doc_version: str
    sentences: tuple[str, ...] = field(default=())

    def embedding_text(self) -> str:
        # Title and heading carry meaning the paragraph itself may lack (measured on the
        # essay: two probe questions missed their paragraph without them).
        return heading_context(self.title, self.section) + self.text

    def sentence_embedding_text(self, sentence: str) -> str:
        # Measured (BENCHMARKS.md): without the heading context, or with passage vectors
        # pooled from sentence vectors, a refresh embeds 20-35 % less but the dev corpus
        # loses citations and quotes; the context pays for itself.
        return heading_context(self.title, self.section) + sentence


def heading_context(title: str, section: str) -> str:
    if section and section != title:
        return f"{title} — {section}: "
    return f"{title}: " if title else ""


def passage_id(source: str, doc_version: str, paragraph: int, part: int) -> str:
    return stable_hash(source, doc_version, str(paragraph), str(part))


def sentence_id(passage: str, index: int) -> str:
    return f"{passage}.s{index}"


def sentence_of(record_id: str) -> tuple[str, int] | None:
    """The passage id and sentence index a sentence id was made from."""
    passage, _, index = record_id.rpartition(".s")
    return (passage, int(index)) if passage and index.isdigit() else None
