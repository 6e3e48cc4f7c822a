"""A term asked about in one language, found among the terms a glossary defines in
another: "Was ist ein IKT-Altsystem?" asks for DORA's "'legacy ICT system' means ...".

The glossary looks terms up by their wording, so a German question about an English act
found no definition (6 of 14 German definition questions cited it, against 14 of 14 in
English). Both bundled embedders place a term near its translation, each with its own
mistakes: USE multilingual ranks the translation first more often ("Hersteller":
"manufacturer"; e5 put "distributor" first), e5 is less often fooled by a shared word
part. A defined term is taken for the asked one when it is USE's nearest, close enough,
and among e5's nearest three; otherwise the question is searched as before.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.core.documents import stable_hash
from knowledge.index.embedders import Embedder, Vectors, kept_on_disk
from knowledge.text.words import parts

# USE's similarity below which a nearest term is no translation (measured on terms of the
# two EU regulations: translations 0.41-0.94, unrelated words up to 0.55, so the second
# embedder's agreement does most of the work).
MIN_SIMILARITY = 0.45
# How far down e5's order the term USE chose may stand.
AGREEMENT_DEPTH = 3
# Glossaries whose vectors stay in memory (one per language and knowledge-base snapshot).
KEPT = 8


class TermMatcher:
    """Matches an asked term against defined ones, with every defined term's vectors
    computed once per embedder and glossary (kept in memory and in the cache folder)."""

    def __init__(self, first: Embedder, second: Embedder | None,
                 cache_dir: Path | None) -> None:
        self.first = first
        self.second = second
        self.cache_dir = cache_dir
        self._vectors: dict[str, Vectors] = {}
        self._last_asked: dict[tuple[str, str], Vectors] = {}
        self._lock = threading.Lock()

    def match(self, asked: str, terms: Sequence[str]) -> str:
        """The defined term `asked` translates, or "" where none does clearly."""
        if self.second is None or not asked.strip():
            return ""
        # A translation does not keep one word of the asked term and drop the rest: the
        # nearest to "Software-Stückliste" is "software", which it is not.
        asked_parts = set(parts(asked))
        terms = [term for term in terms if term.lower() not in asked_parts]
        if not terms:
            return ""
        by_use = self._of(self.second, terms) @ self._asked(self.second, asked)
        best = int(np.argmax(by_use))
        if by_use[best] < MIN_SIMILARITY:
            return ""
        by_e5 = self._of(self.first, terms) @ self._asked(self.first, asked)
        nearest = np.argsort(-by_e5, kind="stable")[:AGREEMENT_DEPTH]
        return terms[best] if best in nearest else ""

    def _asked(self, embedder: Embedder, asked: str) -> Vectors:
        """The asked term's vector, kept while the same term is matched against each
        language's glossary in turn."""
        key = (embedder.identity, asked)
        with self._lock:
            if key not in self._last_asked:
                if len(self._last_asked) >= 2:  # one term, by both embedders
                    del self._last_asked[next(iter(self._last_asked))]
                self._last_asked[key] = embedder.embed_passages([asked])[0]
            return self._last_asked[key]

    def _of(self, embedder: Embedder, terms: list[str]) -> Vectors:
        key = stable_hash(embedder.identity, *terms)
        with self._lock:
            if key not in self._vectors:
                if len(self._vectors) >= KEPT:
                    del self._vectors[next(iter(self._vectors))]  # the oldest
                self._vectors[key] = kept_on_disk(embedder, terms, self.cache_dir, "terms")
            return self._vectors[key]
