"""Search: passages and sentences ranked together, fused by passage, judged for relevance."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np

from knowledge.documents import stable_hash
from knowledge.embedders import Embedder, Matrix
from knowledge.splitting import split_sentences
from knowledge.state import KnowledgeState, StateFile
from knowledge.store import PASSAGE, SENTENCE, Record, VectorStore

log = logging.getLogger(__name__)

Fusion = Literal["max", "rrf", "passages"]
RRF_K = 60


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
    score: float  # fused ranking score; only comparable within one search
    similarity: float  # best cosine similarity of the passage or one of its sentences
    sentence: str  # the passage's sentence that matched best
    sentence_similarity: float
    # The passage's sentences found by the sentence search, best first, with similarity.
    matched: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Retrieval:
    query: str
    hits: list[PassageHit]
    relevant: bool
    relevance: float  # evidence that the hits are about the query; >= threshold: relevant


class RelevanceJudge:
    """Decides whether the best matches are about the question at all.

    e5's cosine scores are compressed (best on-topic and off-topic scores lie a few
    thousandths apart), so no fixed threshold works. Two signals are combined instead:

    - *margin*: the best e5 similarity minus the question's similarity to a bundled set of
      unrelated everyday sentences, measured per question on the same scale;
    - *second opinion*: USE multilingual's similarity between the question and the matched
      sentences (USE ranks worse than e5 but its scores spread far wider).

    The weights come from a logistic fit on XQuAD questions asked of their own paragraphs
    (relevant) and of the essay (not relevant); see BENCHMARKS.md. A positive evidence
    value means relevant; the threshold shifts it.
    """

    MARGIN_WEIGHT = 80.0
    SECOND_WEIGHT = 20.0
    BIAS = -6.5

    def __init__(self, embedder: Embedder, second: Embedder | None, cache_dir: Path | None,
                 threshold: float = 0.0) -> None:
        self.embedder = embedder
        self.second = second
        self.cache_dir = cache_dir
        self.threshold = threshold
        self._background: Matrix | None = None

    def background(self) -> Matrix:
        if self._background is None:
            self._background = self._load_background()
        return self._background

    def _load_background(self) -> Matrix:
        text = resources.files("knowledge").joinpath("background.txt").read_text("utf-8")
        lines = [line.strip() for line in text.splitlines()
                 if line.strip() and not line.startswith("#")]
        cache = None
        if self.cache_dir is not None:
            key = stable_hash(self.embedder.identity, *lines)
            cache = self.cache_dir / f"background-{key}.npy"
            if cache.exists():
                loaded: Matrix = np.load(cache).astype(np.float32)
                return loaded
        matrix = self.embedder.embed_passages(lines)
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, matrix)
        return matrix

    def margin(self, question: Matrix, best_similarity: float) -> float:
        unrelated = self.background() @ question
        # The mean of the closest few is steadier than the single closest line.
        return float(best_similarity - float(np.sort(unrelated)[-3:].mean()))

    def second_opinion(self, query: str, sentences: list[str]) -> float:
        if self.second is None or not sentences:
            return 0.0
        vectors = self.second.embed_passages([query, *sentences])
        return float((vectors[1:] @ vectors[0]).max())

    def evidence(self, query: str, question: Matrix, hits: list[PassageHit]) -> float:
        best = max(hit.similarity for hit in hits)
        second = self.second_opinion(query, [hit.sentence for hit in hits[:3]])
        if self.second is None:  # margin alone: its own midpoint from the same fit
            return self.MARGIN_WEIGHT * self.margin(question, best) - 1.0
        return (self.MARGIN_WEIGHT * self.margin(question, best)
                + self.SECOND_WEIGHT * second + self.BIAS)


class EmptyKnowledgeBase(Exception):
    """Nothing has been indexed yet."""


class Retriever:
    def __init__(self, store: VectorStore, state_file: StateFile, judge: RelevanceJudge,
                 fusion: Fusion = "max", depth: int = 30) -> None:
        self.store = store
        self.state_file = state_file
        self.judge = judge
        self.fusion = fusion
        self.depth = depth

    @property
    def embedder(self) -> Embedder:
        return self.store.embedder

    def state(self) -> KnowledgeState:
        return self.state_file.current()

    def search(self, query: str, k: int = 5) -> Retrieval:
        state = self.state()  # one snapshot for the whole search: old or new, never both
        if not state.collection or not state.documents:
            raise EmptyKnowledgeBase
        vector = self.embedder.embed_question(query)
        live = state.live_versions
        depth = max(self.depth, k)
        passages = self._live(state, vector, PASSAGE, depth, live)
        sentences = (
            [] if self.fusion == "passages"
            else self._live(state, vector, SENTENCE, 2 * depth, live)
        )
        hits = self._fuse(state, passages, sentences)[:k]
        if not hits:
            return Retrieval(query=query, hits=[], relevant=False, relevance=0.0)
        evidence = self.judge.evidence(query, vector, hits)
        return Retrieval(query=query, hits=hits, relevant=evidence >= self.judge.threshold,
                         relevance=evidence)

    def _live(self, state: KnowledgeState, vector: Matrix, kind: str, n: int,
              live: frozenset[str]) -> list[Record]:
        # Rows of versions that are not live (a refresh in progress, or garbage not yet
        # collected) are dropped; ask for more if that left too few.
        asked = n
        while True:
            records = self.store.query(state.collection, vector, kind, asked)
            kept = [r for r in records if r.doc_version in live]
            if len(kept) >= n or len(records) < asked:
                return kept[:n]
            asked *= 4

    def _fuse(self, state: KnowledgeState, passages: list[Record],
              sentences: list[Record]) -> list[PassageHit]:
        passage_rank = {r.passage_id: rank for rank, r in enumerate(passages)}
        by_id = {r.passage_id: r for r in passages}
        best_sentence: dict[str, tuple[int, Record]] = {}
        found: dict[str, list[tuple[str, float]]] = {}
        for rank, record in enumerate(sentences):
            best_sentence.setdefault(record.passage_id, (rank, record))
            found.setdefault(record.passage_id, []).append((record.text, record.similarity))
        missing = [pid for pid in best_sentence if pid not in by_id]
        for record in self.store.get_passages(state.collection, missing):
            by_id[record.passage_id] = record
        floor_p, floor_s = len(passages), len(sentences)
        hits: list[PassageHit] = []
        for pid, record in by_id.items():
            sentence_rank, sentence = best_sentence.get(pid, (floor_s, None))
            own = record.similarity if pid in passage_rank else -1.0
            sentence_sim = sentence.similarity if sentence else -1.0
            if self.fusion == "rrf":
                score = 1 / (RRF_K + passage_rank.get(pid, floor_p)) + 1 / (
                    RRF_K + sentence_rank
                )
            else:
                score = max(own, sentence_sim)
            matched = sentence.text if sentence is not None else _first_sentence(record.text)
            meta = record.metadata
            hits.append(
                PassageHit(
                    id=pid,
                    source=str(meta.get("source", "")),
                    title=str(meta.get("title", "")),
                    section=str(meta.get("section", "")),
                    paragraph=int(meta.get("paragraph", 0)),
                    url=str(meta.get("url", "")),
                    language=str(meta.get("language", "")),
                    text=record.text,
                    score=score,
                    similarity=max(own, sentence_sim),
                    sentence=matched,
                    sentence_similarity=max(sentence_sim, own if sentence is None else -1.0),
                    matched=tuple(found.get(pid, ())),
                )
            )
        hits.sort(key=lambda hit: (-hit.score, -hit.similarity, hit.id))
        return hits


def _first_sentence(text: str) -> str:
    sentences = split_sentences(text)
    return sentences[0] if sentences else text
