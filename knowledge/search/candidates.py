"""A question's candidates in one passage language: the nearest passages and sentences,
read for live versions only, fused per passage on a calibrated scale. Also the question's
wordings, each embedded once."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from knowledge.core.documents import sentence_of
from knowledge.index.embedders import Embedder, Vectors
from knowledge.index.state import KnowledgeState
from knowledge.index.store import PASSAGE, SENTENCE, Record, VectorStore
from knowledge.search.answer_kinds import defined_term
from knowledge.search.asked import Asked
from knowledge.search.catalogue import Catalogues
from knowledge.search.judge import RelevanceJudge
from knowledge.search.passage_sentences import first_sentence, sentence_at
from knowledge.search.ranking import LANGUAGE_STAGES, glossed_order, ranked
from knowledge.search.results import Fusion, PassageHit

# Ranking removes this share of the per-language offsets' spread: the background is
# everyday text, and removing all of it over-corrected (fit half: German questions then
# preferred English passages over the German one that answers).
CALIBRATION_SHARE = 0.5
# Passages that define the term a question asks about, read per language.
DEFINITIONS_READ = 5

_searches: tuple[int, ThreadPoolExecutor] | None = None


def search_pool() -> ThreadPoolExecutor:
    """Where sentence searches run, beside their passage search: one pool per process (a
    forked child would inherit the pool's record of its threads, not the threads, and
    wait forever)."""
    global _searches  # noqa: PLW0603  (one pool per process, made on first use)
    if _searches is None or _searches[0] != os.getpid():
        _searches = (os.getpid(),
                     ThreadPoolExecutor(max_workers=2, thread_name_prefix="policybot-search"))
    return _searches[1]


@dataclass(frozen=True)
class QuestionVector:
    """One wording of a question, embedded, with its similarity to unrelated text per
    passage language (see RelevanceJudge.offsets)."""

    text: str
    vector: Vectors
    offsets: dict[str, float]
    ranking: dict[str, float]


class QuestionVectors:
    """The wordings of one question searched with, each embedded once."""

    def __init__(self, embedder: Embedder, judge: RelevanceJudge, query: str,
                 languages: list[str], also: Sequence[str] = ()) -> None:
        self.embedder = embedder
        self.judge = judge
        self.query = query
        self.languages = languages
        self._vectors: dict[str, QuestionVector] = {}
        texts = list(dict.fromkeys([query, *also]))
        for text, vector in zip(texts, embedder.embed_questions(texts),
                                strict=True):
            self._keep(text, vector)

    def of(self, text: str) -> QuestionVector:
        if text not in self._vectors:
            self._keep(text, self.embedder.embed_question(text))
        return self._vectors[text]

    def _keep(self, text: str, vector: Vectors) -> None:
        judge = self.judge
        self._vectors[text] = QuestionVector(
            text, vector, judge.offsets(vector, self.languages),
            judge.offsets(vector, self.languages, paragraphs=True))


class CandidateSearch:
    """Finds and fuses one language's candidates for a question's wordings."""

    def __init__(self, store: VectorStore, catalogues: Catalogues, fusion: Fusion = "max",
                 depth: int = 30) -> None:
        # The ranking stages left out (bench/ablation.py), in each language and merged.
        self.off: frozenset[str] = frozenset()
        self.store = store
        self.catalogues = catalogues
        self.fusion = fusion
        self.depth = depth

    def wordings_hits(self, state: KnowledgeState, vectors: QuestionVectors, asked: Asked,
                      language: str, k: int, per_language: bool, term: str,
                      translated: str, glossed: bool) -> list[PassageHit]:
        """One language's candidates for the question and, where there is one, its
        translation (a model's) or gloss (the dictionary's) into that language."""
        texts = [vectors.query]
        if translated and translated != vectors.query:
            texts.append(translated)
        found: dict[str, PassageHit] = {}
        own: list[PassageHit] = []
        for text in texts:
            for hit in self.language_hits(state, vectors.of(text), language, k, asked,
                                          reorder=not per_language, term=term):
                if hit.id not in found or hit.score > found[hit.id].score:
                    found[hit.id] = hit
                if text == vectors.query:
                    own.append(hit)
        merged = list(found.values())
        # A model's translation competes with its own scores (a passage keeps the better);
        # a gloss only reorders (see ranking.glossed_order).
        return glossed_order(merged, own) if glossed and len(texts) > 1 else merged

    def language_hits(self, state: KnowledgeState, question: QuestionVector, language: str,
                      k: int, asked: Asked, reorder: bool, term: str = ""
                      ) -> list[PassageHit]:
        """One language's candidates for one wording of the question, through the
        language's ranking stages; `reorder`: by the words they share with it too. A
        comparison does not reorder: it judges whether a document speaks by the
        sentences that lead its hits, and what it needs was fitted on the similarity
        order (reordered, a regulation spoke on "threat-led penetration testing" that
        says nothing about it)."""
        depth = max(self.depth, k)
        live = state.live_versions
        # The sentence search needs only the vector: it runs beside the passage search
        # (Chroma lets go of the GIL; the two took 19 ms one after the other at 10k
        # passages in two languages, 10 ms side by side).
        nearest = None if self.fusion == "passages" else search_pool().submit(
            self.store.nearest, state.collection, question.vector, SENTENCE, 2 * depth,
            language)
        passages = {r.passage_id: r for r in self.live(state, question.vector, PASSAGE,
                                                       depth, live, language)}
        # The term as this language's glossary words it; a model's translation of the
        # question may name it where the question did not.
        term = term or defined_term(question.text)
        if term:
            # "What is a product with digital elements?": the definition is one passage
            # among hundreds using the term, rarely the nearest; found by its wording.
            defining = self.catalogues.catalogue(state, language).glossary.defining(term)[
                :DEFINITIONS_READ]
            for record in self.store.get_passages(state.collection, defining, language,
                                                  question.vector):
                if record.doc_version in live:
                    passages.setdefault(record.passage_id, record)
        sentences = ([] if nearest is None
                     else self.sentences(state, question.vector, 2 * depth, live, language,
                                         passages, nearest))
        found = self.fuse(passages, sentences, question.offsets[language],
                          question.ranking[language], question.ranking)
        off = self.off if reorder else {*self.off, "question's words"}
        return ranked(LANGUAGE_STAGES, found, replace(asked, text=question.text), k, off)

    def live(self, state: KnowledgeState, vector: Vectors, kind: str, n: int,
             live: frozenset[str], language: str) -> list[Record]:
        # Rows of versions that are not live (a refresh in progress, or garbage not yet
        # collected) are dropped; ask for more if that left too few.
        asked = n
        while True:
            records = self.store.query(state.collection, vector, kind, asked, language)
            kept = [r for r in records if r.doc_version in live]
            if len(kept) >= n or len(records) < asked:
                return kept[:n]
            asked *= 4

    def sentences(self, state: KnowledgeState, vector: Vectors, n: int,
                  live: frozenset[str], language: str, passages: dict[str, Record],
                  first: Future[list[tuple[str, float]]]) -> list[Record]:
        """The nearest sentences of live passages, best first. Only ids are read: a
        sentence's text and metadata come from its passage (found by the passage search,
        or read here for the passages only a sentence found), which saved 12 ms a
        question. `passages` gains the passages read. `first`: the nearest `n`, asked
        already."""
        asked = n
        while True:
            nearest = first.result() if asked == n else self.store.nearest(
                state.collection, vector, SENTENCE, asked, language)
            parents = [sentence_of(record_id) for record_id, _ in nearest]
            missing = list(dict.fromkeys(
                parent[0] for parent in parents if parent and parent[0] not in passages))
            for record in self.store.get_passages(state.collection, missing, language):
                if record.doc_version in live:
                    passages[record.passage_id] = record
            kept: list[Record] = []
            for (record_id, similarity), parent in zip(nearest, parents, strict=True):
                passage = passages.get(parent[0]) if parent else None
                text = sentence_at(passage.text, parent[1]) if passage and parent else ""
                if passage is not None and text:
                    kept.append(Record(id=record_id, kind=SENTENCE,
                                       passage_id=passage.passage_id,
                                       doc_version=passage.doc_version, text=text,
                                       similarity=similarity, metadata=passage.metadata))
            if len(kept) >= n or len(nearest) < asked:
                return kept[:n]
            asked *= 4

    def fuse(self, passages: dict[str, Record], sentences: list[Record], offset: float,
             own_ranking: float, ranking: dict[str, float]) -> list[PassageHit]:
        """Each passage's best similarity, its own or its best sentence's, on the ranking
        scale (see CALIBRATION_SHARE) and calibrated (the judge's margin)."""
        mean = sum(ranking.values()) / len(ranking)
        by_id = passages
        best_sentence: dict[str, Record] = {}
        found: dict[str, list[tuple[str, float]]] = {}
        for record in sentences:
            best_sentence.setdefault(record.passage_id, record)
            found.setdefault(record.passage_id, []).append((record.text, record.similarity))
        hits: list[PassageHit] = []
        for pid, record in by_id.items():
            sentence = best_sentence.get(pid)
            own = record.similarity if record.similarity >= 0 or pid not in best_sentence \
                else -1.0
            sentence_sim = sentence.similarity if sentence else -1.0
            similarity = max(own, sentence_sim)
            meta = record.metadata
            source = str(meta.get("source", ""))
            calibrated = similarity - offset
            rank_score = similarity - mean - CALIBRATION_SHARE * (own_ranking - mean)
            hits.append(
                PassageHit(
                    id=pid,
                    source=source,
                    title=str(meta.get("title", "")),
                    section=str(meta.get("section", "")),
                    paragraph=int(meta.get("paragraph", 0)),
                    url=str(meta.get("url", "")),
                    language=str(meta.get("language", "")),
                    text=record.text,
                    score=rank_score,
                    similarity=similarity,
                    calibrated=calibrated,
                    sentence=sentence.text if sentence is not None
                    else first_sentence(record.text),
                    sentence_similarity=sentence_sim if sentence is not None else own,
                    matched=tuple(found.get(pid, ())),
                )
            )
        return hits
