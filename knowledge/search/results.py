"""What a search finds: passages ranked for a question, and the verdict on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from knowledge.search.asked import Asked

Fusion = Literal["max", "passages"]


@dataclass(frozen=True)
class PassageHit:
    id: str
    source: str
    title: str
    section: str
    paragraph: int
    url: str
    language: str
    text: str
    score: float  # ranking score: calibrated, plus a bonus where the question names the doc
    similarity: float  # best cosine similarity of the passage or one of its sentences
    calibrated: float  # similarity minus the question's to background text in its language
    sentence: str  # the passage's sentence that matched best
    sentence_similarity: float
    # The passage's sentences found by the sentence search, best first, with similarity.
    matched: tuple[tuple[str, float], ...] = ()
    # The term the question asks the meaning of, as this passage defines it; "" if none.
    defines: str = ""


@dataclass(frozen=True)
class Retrieval:
    query: str
    asked: Asked  # what the question asks, read once: the answerer reads it from here
    hits: list[PassageHit]
    relevant: bool
    relevance: float  # evidence that the hits are about the query; >= threshold: relevant
    # Provisions asked for by number that the documents do not have ("Article 99").
    missing: tuple[str, ...] = ()
    # Acronyms and acts the question names that no document writes ("GDPR", "the Digital
    # Services Act"; knowledge/search/mentions.py).
    unknown: tuple[str, ...] = ()
