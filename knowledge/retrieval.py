"""Search: passages and sentences ranked together per passage language, calibrated,
fused by passage, steered to the documents a question names, judged for relevance."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

from knowledge.answer_kinds import (
    Kind,
    answer_kind,
    carries,
    defined_term,
    defines,
    formally_defines,
)
from knowledge.documents import sentence_of
from knowledge.embedders import Embedder, Vectors, kept_on_disk
from knowledge.errors import EmptyKnowledgeBase
from knowledge.glossary import Glossary
from knowledge.languages import detect, evident
from knowledge.lexicon import Dictionary, vocabulary
from knowledge.mentions import Mentions, acronyms_named, act_names
from knowledge.naming import Titles
from knowledge.overlap import overlap_shares
from knowledge.references import Provisions, Reference, in_context, references_in, unit_of
from knowledge.sentences import split_sentences
from knowledge.state import KnowledgeState, StateFile
from knowledge.store import PASSAGE, SENTENCE, Record, VectorStore, language_slug
from knowledge.structure import is_recital
from knowledge.terms import TermMatcher

log = logging.getLogger(__name__)

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
    hits: list[PassageHit]
    relevant: bool
    relevance: float  # evidence that the hits are about the query; >= threshold: relevant
    # Provisions asked for by number that the documents do not have ("Article 99").
    missing: tuple[str, ...] = ()
    # Acronyms and acts the question names that no document writes ("GDPR", "the Digital
    # Services Act"; knowledge/mentions.py).
    unknown: tuple[str, ...] = ()


class RelevanceJudge:
    """Decides whether the best matches are about the question at all, and calibrates
    similarities across passage languages.

    e5's cosine scores are compressed (best on-topic and off-topic scores lie a few
    thousandths apart), and higher for text in the question's own language. Both are
    measured per question against a bundled background of unrelated everyday sentences,
    the same sentences in English and German: a passage's *calibrated* score is its
    similarity minus the question's similarity to the background in the passage's
    language (the mean of the closest three lines). That removes the language preference
    (a German question scores German background higher by the same amount it scores German
    passages higher) and leaves how much more the passage resembles the question than
    unrelated text does.

    Relevance combines the best calibrated score (*margin*) with a *second opinion*:
    USE multilingual's similarity between the question and the matched sentences (USE
    ranks worse than e5 but its scores spread far wider). A positive evidence value means
    relevant; the threshold shifts it. Weights: see BENCHMARKS.md.
    """

    # bench/fit_judge.py on fit data only (XQuAD and the fit half of eval/realcorpus.jsonl).
    MARGIN_WEIGHT = 79.1
    SECOND_WEIGHT = 21.2
    BIAS = -7.32

    def __init__(self, embedder: Embedder, second: Embedder | None, cache_dir: Path | None,
                 threshold: float = 0.0) -> None:
        self.embedder = embedder
        self.second = second
        self.cache_dir = cache_dir
        self.threshold = threshold
        self._background: dict[str, Vectors] | None = None
        self._paragraphs: dict[str, Vectors] | None = None

    def background(self) -> dict[str, Vectors]:
        """Background vectors by language code ("" holds every line)."""
        if self._background is None:
            self._background = self._load_background()
        return self._background

    def _load_background(self) -> dict[str, Vectors]:
        text = resources.files("knowledge").joinpath("background.txt").read_text("utf-8")
        pairs = [[part.strip() for part in line.split("|")] for line in text.splitlines()
                 if line.strip() and not line.startswith("#")]
        english = [pair[0] for pair in pairs]
        german = [pair[1] for pair in pairs if len(pair) > 1]
        matrix = kept_on_disk(self.embedder, english + german, self.cache_dir, "background")
        return {"en": matrix[: len(english)], "de": matrix[len(english):], "": matrix}

    def background_paragraphs(self) -> dict[str, Vectors]:
        """Paragraph-length background: five consecutive lines' vectors averaged."""
        if self._paragraphs is None:
            # Filled aside and then set whole: a question on another thread must never
            # see it half-built (one did: KeyError '' when two questions came at start).
            paragraphs = {}
            for language, rows in self.background().items():
                groups = [rows[i:i + 5].mean(axis=0) for i in range(0, len(rows) - 4, 5)]
                stacked = np.asarray(groups, dtype=np.float32)
                paragraphs[language] = stacked / np.linalg.norm(stacked, axis=1,
                                                                keepdims=True)
            self._paragraphs = paragraphs
        return self._paragraphs

    def offsets(self, question: Vectors, languages: list[str],
                paragraphs: bool = False) -> dict[str, float]:
        """The question's similarity to unrelated text, per passage language: to its lines
        (the judge's margin, as fitted), or to paragraph-length background, five lines'
        vectors averaged (ranking: the length of a passage). The mean of the closest
        three is steadier than the closest one."""
        background = self.background_paragraphs() if paragraphs else self.background()
        return {language: float(np.sort(background.get(language, background[""]) @ question)
                                [-3:].mean())
                for language in languages}

    def second_opinion(self, query: str, sentences: list[str]) -> float:
        if self.second is None or not sentences:
            return 0.0
        vectors = self.second.embed_passages([query, *sentences])
        return float((vectors[1:] @ vectors[0]).max())

    def evidence(self, query: str, hits: list[PassageHit]) -> float:
        return self.evidences(query, [hits])[0]

    def floor(self, hits: list[PassageHit]) -> float:
        """The evidence with the second opinion at its lowest, 0: USE's similarity between
        a question and real sentences does not go below it (lowest over the 188 dev
        questions: 0.013). Where the floor clears the threshold, asking USE (12-19 ms of a
        question) cannot change the verdict. Without a second embedder: the evidence."""
        margin = max(hit.calibrated for hit in hits)
        if self.second is None:
            return self.MARGIN_WEIGHT * margin - 1.0
        return self.MARGIN_WEIGHT * margin + self.BIAS

    def evidences(self, query: str, groups: list[list[PassageHit]],
                  sentences_each: int = 3) -> list[float]:
        """The evidence of each group of hits (a search's, or one document's), with one
        call of the second embedder for the best `sentences_each` sentences of every group."""
        margins = [max(hit.calibrated for hit in hits) for hits in groups]
        if self.second is None:  # margin alone: its own midpoint from the same fit
            return [self.MARGIN_WEIGHT * margin - 1.0 for margin in margins]
        sentences = [[hit.sentence for hit in hits[:sentences_each]] for hits in groups]
        vectors = self.second.embed_passages([query, *(t for ts in sentences for t in ts)])
        similarities = vectors[1:] @ vectors[0]
        evidence, start = [], 0
        for margin, texts in zip(margins, sentences, strict=True):
            second = float(similarities[start:start + len(texts)].max()) if texts else 0.0
            start += len(texts)
            evidence.append(self.MARGIN_WEIGHT * margin + self.SECOND_WEIGHT * second
                            + self.BIAS)
        return evidence


# About what the embedders read (512 tokens); a longer question is cut before anything.
MAX_QUERY_CHARS = 2000
# How much a passage of a document the question names is preferred, on the calibrated
# scale (where the best on-topic passage stands some 0.05-0.1 above the background).
STEER_BONUS = 0.02
# Ranking removes this share of the per-language offsets' spread: the background is
# everyday text, and removing all of it over-corrected (fit half: German questions then
# preferred English passages over the German one that answers).
CALIBRATION_SHARE = 0.5
# Recitals explain; the articles hold the rule. Asked "how often must ...", the article is
# the answer a recital paraphrases.
RECITAL_PENALTY = 0.01
# A passage that carries what was asked (a date, an amount, a demand).
KIND_BONUS = 0.01
# A passage holding all of the question's rare words gains this much (calibrated scale).
OVERLAP_WEIGHT = 0.03
# Passages that define the term a question asks about, read per language.
DEFINITIONS_READ = 5
# Evidence a question needs less when it names the document whose passage leads.
NAMED_RELIEF = 2.0
# Provisions of one question looked up ("Articles 1, 2, 3, ..., 400" reads no more).
MAX_REFERENCES = 5
# Passages of one provision read per document when a question cites it by number (an
# article of 25 paragraphs, an annex, a chapter): the first in document order.
MAX_PROVISION_PASSAGES = 40
# Between two passages of a cited provision in the order they answer: small enough that
# the first three stay within the answer's citation distance.
_CITED_STEP = 0.001


_searches: tuple[int, ThreadPoolExecutor] | None = None


@dataclass(frozen=True)
class _Wording:
    """The English passages' words (in how many passages each stands), and the acronyms
    every passage, heading and title writes."""

    english: dict[str, int]
    mentions: Mentions


@dataclass(frozen=True)
class _Catalogue:
    """One language's passages by the terms they define and the provisions they belong
    to: both from one read."""

    glossary: Glossary
    provisions: Provisions


# A passage's id and metadata, as a full read of a language's passages returns them.
_Row = tuple[str, dict[str, Any]]


def _search_pool() -> ThreadPoolExecutor:
    """Where sentence searches run, beside their passage search: one pool per process (a
    forked child would inherit the pool's record of its threads, not the threads, and
    wait forever)."""
    global _searches  # noqa: PLW0603  (one pool per process, made on first use)
    if _searches is None or _searches[0] != os.getpid():
        _searches = (os.getpid(),
                     ThreadPoolExecutor(max_workers=2, thread_name_prefix="policybot-search"))
    return _searches[1]


class Retriever:
    def __init__(self, store: VectorStore, state_file: StateFile, judge: RelevanceJudge,
                 fusion: Fusion = "max", depth: int = 30,
                 dictionary: Dictionary | None = None) -> None:
        self.store = store
        self.state_file = state_file
        self.judge = judge
        self.fusion = fusion
        self.depth = depth
        # What a search needs to know of the documents, kept per snapshot: reading every
        # document's title and language again cost 46 ms a question at 2,000 documents.
        self._known: tuple[KnowledgeState, list[str], Titles] | None = None
        self._catalogues: tuple[KnowledgeState | None, dict[str, _Catalogue]] = (None, {})
        self.dictionary = dictionary
        self._wording: tuple[KnowledgeState, _Wording] | None = None
        self.terms = TermMatcher(judge.embedder, judge.second, judge.cache_dir)

    @property
    def embedder(self) -> Embedder:
        return self.store.embedder

    def state(self) -> KnowledgeState:
        return self.state_file.current()

    def search(self, query: str, k: int = 5, per_language: bool = False,
               judged: bool = True, translations: Mapping[str, str] | None = None,
               context: Sequence[str] = ()) -> Retrieval:
        """The k best passages; `per_language`: the k best of each passage language (a
        comparison must see the best of a language that holds few passages, which the
        many of another would crowd out of one list). Not `judged`: relevance is left at
        0 (a comparison judges each document on its own). `translations`: the question
        in a passage language (a model's translation), searched with too in that
        language; a passage keeps the better of its two scores. `context`: the thread's
        earlier questions, latest last; a provision asked for without naming its act
        ("And Article 15?") is looked up in the act they named last."""
        state = self.state()  # one snapshot for the whole search: old or new, never both
        if not state.collection or not state.documents:
            raise EmptyKnowledgeBase
        # The embedder reads 512 tokens; the rest only cost time (a 1 MB line: 11 minutes).
        query = query[:MAX_QUERY_CHARS]
        languages, titles = self._documents(state)
        named = titles.named_in(query)
        references = [] if named.foreign else in_context(
            references_in(query)[:MAX_REFERENCES], context)
        if references and not named.sources:
            named = next((earlier for earlier in map(titles.named_in, reversed(context))
                          if earlier.sources), named)
        wanted = answer_kind(query)
        wordings = {language: text[:MAX_QUERY_CHARS].strip()
                    for language, text in (translations or {}).items()}
        gloss = ""
        if "en" in languages and not wordings.get("en") and detect(query) == "de":
            gloss = self._glossed(state, query)
        # Embedded together: one pass over e5's weights for both (a short text's cost).
        asked = _Asked(self, query, languages, also=[gloss] if gloss else [])
        term = defined_term(query)
        defined = self._defined_terms(state, query, term, languages) if term else {}
        hits: list[PassageHit] = []
        # Each language searched on its own, so that a language holding few passages is
        # not crowded out, then merged on the calibrated scale.
        for language in languages:
            glossed = language == "en" and bool(gloss)
            ranked = self._wordings_hits(state, asked, language, k, named.sources,
                                         per_language, defined.get(language, ""),
                                         gloss if glossed else wordings.get(language, ""),
                                         glossed)
            hits += _top(ranked, k) if per_language else ranked
        led = False
        cited: list[PassageHit] = []
        absent = False
        if per_language:
            hits = _top(hits, len(hits))
        else:
            hits = _defining_first(_prefer_kind(hits, wanted, k), defined)
            hits, led = _named_first(hits, named.sources)
            if references:
                cited, absent = self._cited(state, references, named.sources, asked, hits)
                hits = _leading(cited, hits)
            hits = _top(hits, k)
        if not hits or not judged:
            return Retrieval(query=query, hits=hits, relevant=False, relevance=0.0)
        unknown = self._unknown(state, query, languages, titles)
        if unknown:
            # "The maximum fine under the GDPR": fines abound, the GDPR is not among them.
            return Retrieval(query=query, hits=hits, relevant=False,
                             relevance=self.judge.floor(hits), unknown=tuple(unknown))
        if cited or absent:
            # Asked for a provision by number: it is the answer, however its wording
            # resembles the question's; one the documents do not have is no answer.
            # (The lookup decides; the margin alone goes to the log.)
            return Retrieval(query=query, hits=hits, relevant=bool(cited),
                             relevance=self.judge.floor(hits),
                             missing=tuple(r.name for r in references) if absent else ())
        threshold = self.judge.threshold
        if led:
            # "What does the author demand?": asked about a document by name, and its own
            # passage leads, a vague question about its argument is still about it.
            threshold -= NAMED_RELIEF
        # "What is a near miss?" where a passage says "'near miss' means ...": answerable
        # however little the rest of the wording resembles anything.
        answered = formally_defines(hits[0].text, defined.get(hits[0].language, term))
        # The second opinion only where it can change the verdict (see RelevanceJudge.floor).
        evidence = self.judge.floor(hits)
        if not answered and evidence < threshold:
            evidence = self.judge.evidence(query, hits)
        return Retrieval(query=query, hits=hits, relevant=answered or evidence >= threshold,
                         relevance=evidence)

    def _wordings_hits(self, state: KnowledgeState, asked: _Asked, language: str, k: int,
                       steered: frozenset[str], per_language: bool, term: str,
                       translated: str, glossed: bool) -> list[PassageHit]:
        """One language's candidates for the question and, where there is one, its
        translation (a model's) or gloss (the dictionary's) into that language."""
        texts = [asked.query]
        if translated and translated != asked.query:
            texts.append(translated)
        found: dict[str, PassageHit] = {}
        own: list[PassageHit] = []
        for text in texts:
            for hit in self._language_hits(state, asked.of(text), language, k, steered,
                                           reorder=not per_language, term=term):
                if hit.id not in found or hit.score > found[hit.id].score:
                    found[hit.id] = hit
                if text == asked.query:
                    own.append(hit)
        ranked = list(found.values())
        # A model's translation competes with its own scores (a passage keeps the better);
        # a gloss only reorders (see _reordered).
        return _reordered(ranked, own) if glossed and len(texts) > 1 else ranked

    def _language_hits(self, state: KnowledgeState, question: _Vector, language: str,
                       k: int, steered: frozenset[str], reorder: bool,
                       term: str = "") -> list[PassageHit]:
        """One language's candidates for one wording of the question; `reorder`: by the
        words they share with it. A comparison does not reorder: it judges whether a
        document speaks by the sentences that lead its hits, and what it needs was
        fitted on the similarity order (reordered, a regulation spoke on "threat-led
        penetration testing" that says nothing about it)."""
        depth = max(self.depth, k)
        live = state.live_versions
        # The sentence search needs only the vector: it runs beside the passage search
        # (Chroma lets go of the GIL; the two took 19 ms one after the other at 10k
        # passages in two languages, 10 ms side by side).
        nearest = None if self.fusion == "passages" else _search_pool().submit(
            self.store.nearest, state.collection, question.vector, SENTENCE, 2 * depth,
            language)
        passages = {r.passage_id: r for r in self._live(state, question.vector, PASSAGE,
                                                         depth, live, language)}
        # The term as this language's glossary words it; a model's translation of the
        # question may name it where the question did not.
        term = term or defined_term(question.text)
        if term:
            # "What is a product with digital elements?": the definition is one passage
            # among hundreds using the term, rarely the nearest; found by its wording.
            defining = self._catalogue(state, language).glossary.defining(term)[
                :DEFINITIONS_READ]
            for record in self.store.get_passages(state.collection, defining, language,
                                                  question.vector):
                if record.doc_version in live:
                    passages.setdefault(record.passage_id, record)
        sentences = ([] if nearest is None
                     else self._sentences(state, question.vector, 2 * depth, live, language,
                                          passages, nearest))
        found = self._fuse(passages, sentences, question.offsets[language],
                           question.ranking[language], question.ranking, steered)
        return _with_overlap(question.text, found) if reorder else found

    def languages(self) -> list[str]:
        """The passage languages the knowledge base holds (as stored: codes for the
        languages told apart, see knowledge/languages.py)."""
        return self._documents(self.state())[0]

    def _rows(self, state: KnowledgeState, language: str) -> list[_Row]:
        """One language's live passages: their ids and metadata (one read of every
        passage)."""
        live = state.live_versions
        return [(record_id, meta) for record_id, meta
                in self.store.passage_metadata(state.collection, language)
                if meta.get("doc_version") in live]

    def _catalogue(self, state: KnowledgeState, language: str,
                   rows: list[_Row] | None = None) -> _Catalogue:
        """What one language's passages say of themselves, read once per snapshot (0.5 s
        at 5k passages; `rows`: read already)."""
        if self._catalogues[0] is not state:
            self._catalogues = (state, {})
        catalogues = self._catalogues[1]
        if language not in catalogues:
            rows = self._rows(state, language) if rows is None else rows
            catalogues[language] = _Catalogue(
                Glossary((record_id, str(meta.get("text", ""))) for record_id, meta in rows),
                Provisions((record_id, str(meta.get("source", "")),
                            str(meta.get("section", "")), int(meta.get("paragraph", 0)))
                           for record_id, meta in rows))
        return catalogues[language]

    def prepare(self) -> None:
        """Read now what the first questions of a snapshot would otherwise wait for: the
        dictionary, the documents' wording (their acronyms and acts: 3 s at 10k passages)
        and each language's catalogue (definitions, provisions: the first question asking
        for one waited 0.5 s at 5k passages), from one read of every passage."""
        if self.dictionary is not None:
            self.dictionary.lexicon()
        state = self.state()
        if state.collection and state.documents:
            rows = {language: self._rows(state, language)
                    for language in self._documents(state)[0]}
            for language, read in rows.items():
                self._catalogue(state, language, read)
            self._words(state, rows)

    def _glossed(self, state: KnowledgeState, query: str) -> str:
        """A German question word for word in English (knowledge/lexicon.py), each sense
        chosen by the English passages' words; "" without a dictionary."""
        lexicon = self.dictionary.lexicon() if self.dictionary is not None else None
        if lexicon is None:
            return ""
        return lexicon.gloss(query, self._words(state).english)

    def _words(self, state: KnowledgeState,
               rows: dict[str, list[_Row]] | None = None) -> _Wording:
        """How the documents word things, read once per snapshot (one read of every
        passage; `rows`: read already, per language)."""
        if self._wording is None or self._wording[0] is not state:
            english: list[str] = []
            texts: list[str] = []
            for language in self._documents(state)[0]:
                read = rows[language] if rows is not None else self._rows(state, language)
                for _, meta in read:
                    text = str(meta.get("text", ""))
                    texts.append(f"{meta.get('section', '')} {text}")
                    if language == "en":
                        english.append(text)
            titles = [entry.title for entry in state.documents.values()]
            self._wording = (state, _Wording(
                vocabulary(english),
                Mentions([*texts, *titles], self._documents(state)[1].acronyms())))
        return self._wording[1]

    def _unknown(self, state: KnowledgeState, query: str, languages: list[str],
                 titles: Titles) -> list[str]:
        """The acronyms and acts' names the question uses that no document writes (nor,
        for an act, names by its title). An English name only where a document could
        have written it as asked: German paragraphs write the "Single European Act" as
        the "Einheitliche Europäische Akte" (XQuAD). The documents' words are read (once
        per snapshot: 3 s at 10k passages) only for a question that names something."""
        acronyms = acronyms_named(query)
        acts = act_names(query, english="en" in languages)
        if not acronyms and not acts:
            return []
        mentions = self._words(state).mentions
        unknown_acts = [name for name in acts
                        if not mentions.knows_act(name) and not titles.named_in(name).specific]
        # "DSA-Verordnung" is said once, not as "DSA or DSA-Verordnung".
        return [*(name for name in (mentions.unknown(query) if acronyms else [])
                  if not any(name in act for act in unknown_acts)), *unknown_acts]

    def _defined_terms(self, state: KnowledgeState, query: str, term: str,
                       languages: list[str]) -> dict[str, str]:
        """The term a question asks the meaning of, as each language's glossary words it:
        the asked wording where a glossary defines it; where none does, the term another
        language defines that it translates ("IKT-Altsystem": "legacy ICT system")."""
        glossaries = {language: self._catalogue(state, language).glossary
                      for language in languages}
        literal = {language: term for language, glossary in glossaries.items()
                   if glossary.defining(term)}
        if literal:
            return literal
        # Across languages only: in its own language a term the glossary lacks is not
        # one it defines under another name ("data sovereignty" is no "personal data").
        asked_in = evident(term) or evident(query)
        if asked_in == "de" and "en" in glossaries:
            # "Leitungsorgan" is "management body" word for word: the dictionary knows,
            # where the two embedders disagree.
            english = self._glossed(state, term)
            if english and glossaries["en"].defining(english):
                return {"en": english}
        matched = {language: self.terms.match(term, glossary.terms())
                   for language, glossary in glossaries.items() if language != asked_in}
        return {language: found for language, found in matched.items() if found}

    def _cited(self, state: KnowledgeState, references: list[Reference],
               scope: frozenset[str], asked: _Asked, found: list[PassageHit],
               ) -> tuple[list[PassageHit], bool]:
        """The passages of the provisions a question cites by number, in the order they
        answer it: each provision's paragraph asked for, or its opening, then its other
        passages by similarity. Also whether the documents in scope number such
        provisions but hold none of these ("Article 99" of an act of 71)."""
        question = asked.of(asked.query)
        by_id = {hit.id: hit for hit in found}
        leading: list[PassageHit] = []
        following: list[PassageHit] = []
        numbered = False
        for language in asked.languages:
            provisions = self._catalogue(state, language).provisions
            numbered |= any(reference.kind in provisions.kinds.get(source, set())
                            for reference in references
                            for source in (scope or provisions.kinds))
            for reference in references:
                places = provisions.cited(reference, scope, MAX_PROVISION_PASSAGES)
                missing = [place.passage_id for place in places if place.passage_id not in by_id]
                records = {record.passage_id: record for record in self.store.get_passages(
                    state.collection, missing, language, question.vector)}
                for hit in self._fuse(records, [], question.offsets[language],
                                      question.ranking[language], question.ranking, scope):
                    by_id[hit.id] = hit
                pairs = [(by_id[place.passage_id], place.exact) for place in places
                         if place.passage_id in by_id]
                hits = [hit for hit, _ in pairs]
                # The paragraph asked for; else each act's opening ("Artikel 14 der
                # Verordnung" is an article in each act).
                opening = [hit for hit, exact in pairs if exact] or _first_of_each_document(hits)
                following += [hit for hit in hits if hit not in opening]
                # Quoted from its start: the provision's own statement, not the sentence
                # that happens to resemble "What does Article 14 say?".
                leading += [replace(hit, sentence=_opening(hit, reference.paragraph),
                                    matched=(), sentence_similarity=hit.similarity)
                            for hit in opening]
        following.sort(key=lambda hit: (-hit.similarity, hit.id))
        first: dict[str, PassageHit] = {}
        for hit in [*leading, *following]:
            first.setdefault(hit.id, hit)  # a passage two of the references hold, once
        return list(first.values()), numbered and not first

    def _documents(self, state: KnowledgeState) -> tuple[list[str], Titles]:
        if self._known is None or self._known[0] is not state:
            languages = sorted({language_slug(language) for entry in state.documents.values()
                                for language in entry.languages})
            titles = Titles({key: entry.title for key, entry in state.documents.items()})
            self._known = (state, languages, titles)
        return self._known[1], self._known[2]

    def _live(self, state: KnowledgeState, vector: Vectors, kind: str, n: int,
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

    def _sentences(self, state: KnowledgeState, vector: Vectors, n: int,
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
                text = _sentence(passage.text, parent[1]) if passage and parent else ""
                if passage is not None and text:
                    kept.append(Record(id=record_id, kind=SENTENCE,
                                       passage_id=passage.passage_id,
                                       doc_version=passage.doc_version, text=text,
                                       similarity=similarity, metadata=passage.metadata))
            if len(kept) >= n or len(nearest) < asked:
                return kept[:n]
            asked *= 4

    def _fuse(self, passages: dict[str, Record], sentences: list[Record], offset: float,
              own_ranking: float, ranking: dict[str, float],
              steered: frozenset[str]) -> list[PassageHit]:
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
            if is_recital(str(meta.get("section", ""))):
                rank_score -= RECITAL_PENALTY
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
                    score=rank_score + (STEER_BONUS if source in steered else 0.0),
                    similarity=similarity,
                    calibrated=calibrated,
                    sentence=sentence.text if sentence is not None
                    else _first_sentence(record.text),
                    sentence_similarity=sentence_sim if sentence is not None else own,
                    matched=tuple(found.get(pid, ())),
                )
            )
        return hits


@dataclass(frozen=True)
class _Vector:
    """One wording of a question, embedded, with its similarity to unrelated text per
    passage language (see RelevanceJudge.offsets)."""

    text: str
    vector: Vectors
    offsets: dict[str, float]
    ranking: dict[str, float]


class _Asked:
    """The wordings of one question searched with, each embedded once."""

    def __init__(self, retriever: Retriever, query: str, languages: list[str],
                 also: Sequence[str] = ()) -> None:
        self.retriever = retriever
        self.query = query
        self.languages = languages
        self._vectors: dict[str, _Vector] = {}
        texts = list(dict.fromkeys([query, *also]))
        for text, vector in zip(texts, retriever.embedder.embed_questions(texts),
                                strict=True):
            self._keep(text, vector)

    def of(self, text: str) -> _Vector:
        if text not in self._vectors:
            self._keep(text, self.retriever.embedder.embed_question(text))
        return self._vectors[text]

    def _keep(self, text: str, vector: Vectors) -> None:
        judge = self.retriever.judge
        self._vectors[text] = _Vector(
            text, vector, judge.offsets(vector, self.languages),
            judge.offsets(vector, self.languages, paragraphs=True))


def _reordered(merged: list[PassageHit], own: list[PassageHit]) -> list[PassageHit]:
    """The passages a question and its gloss found, in the order of the better of their
    two scores, with the question's own scores (and calibrated margins) handed out in that
    order. The gloss is English, and e5 scores English higher against English: rescored,
    German questions about the German essay went to the regulations (report half: 2 of
    10), and the judge, fitted on the question's own margins, answered two more off-topic
    ones. Reordered only, neither happens and the gloss keeps its gains."""
    if not own:
        return merged
    order = sorted(merged, key=lambda hit: (-hit.score, hit.id))
    scores = sorted(own, key=lambda hit: (-hit.score, hit.id))
    scores += [scores[-1]] * (len(order) - len(scores))
    return [replace(hit, score=mine.score, calibrated=mine.calibrated)
            for hit, mine in zip(order, scores, strict=False)]


def _with_overlap(query: str, hits: list[PassageHit]) -> list[PassageHit]:
    """One language's hits reordered by their score plus the share of the question's
    words each holds (weighted by their rarity among these hits; knowledge/overlap.py).

    Reordered, not rescored: the hits keep the language's scores, handed out in the new
    order. Only a question's own language shares its words, and a bonus would pull a
    German question to the German essay away from the English rule that answers it."""
    shares = overlap_shares(query, [f"{hit.section} {hit.text}" for hit in hits])
    scores = sorted((hit.score for hit in hits), reverse=True)
    order = sorted(zip(hits, shares, strict=True),
                   key=lambda pair: (-(pair[0].score + OVERLAP_WEIGHT * pair[1]), pair[0].id))
    return [replace(hit, score=score) for (hit, _), score in zip(order, scores, strict=True)]


def _named_first(hits: list[PassageHit],
                 named: frozenset[str]) -> tuple[list[PassageHit], bool]:
    """The documents a question names lead: their passages are lifted, together, just
    above the best of the rest ("What does the author demand from policymakers?" in a
    knowledge base where DORA's requests for information match "demand" better than the
    essay's demand does). Also says whether a named document led on its own."""
    return _lifted(hits, lambda hit: hit.source in named)


def _defining_first(hits: list[PassageHit],
                    terms: Mapping[str, str]) -> list[PassageHit]:
    """Passages that define the term a question asks about (as their language's glossary
    words it) lead ("What are sweeps?"), a formal definition ("'sweep' means ...") before a
    recital explaining it. Each is marked with the term it defines, for the quote."""
    if not terms:
        return hits

    def defining(hit: PassageHit) -> bool:
        term = terms.get(hit.language, "")
        return bool(term) and any(defines(sentence, term) for sentence in _split(hit.text))

    def formal(hit: PassageHit) -> bool:
        # The formal form needs no sentence start: searched in the whole passage.
        return formally_defines(hit.text, terms.get(hit.language, ""))

    hits = [replace(hit, defines=terms[hit.language]) if defining(hit) or formal(hit) else hit
            for hit in hits]
    hits = _lifted(hits, defining)[0]
    return _lifted(hits, formal)[0]


def _lifted(hits: list[PassageHit],
            chosen: Callable[[PassageHit], bool]) -> tuple[list[PassageHit], bool]:
    """The chosen hits lifted, together and in their order, just above the best of the
    rest; and whether they led already."""
    picked = [chosen(hit) for hit in hits]  # once: a definition test reads every sentence
    best = max((hit.score for hit in hits), default=0.0)
    best_chosen = max((hit.score for hit, lifted in zip(hits, picked, strict=True)
                       if lifted), default=None)
    if best_chosen is None:
        return hits, False
    if best_chosen >= best:
        return hits, True
    lift = best - best_chosen + STEER_BONUS
    return [replace(hit, score=hit.score + lift) if lifted else hit
            for hit, lifted in zip(hits, picked, strict=True)], False


def _first_of_each_document(hits: list[PassageHit]) -> list[PassageHit]:
    """The first of each document's hits (they come in document order)."""
    first: dict[str, PassageHit] = {}
    for hit in hits:
        first.setdefault(hit.source, hit)
    return list(first.values())


def _leading(cited: list[PassageHit], hits: list[PassageHit]) -> list[PassageHit]:
    """The cited provision's passages first, in their order, above every other hit."""
    if not cited:
        return hits
    top = max(hit.score for hit in [*cited, *hits]) + STEER_BONUS
    ids = {hit.id for hit in cited}
    return [*(replace(hit, score=top - _CITED_STEP * n) for n, hit in enumerate(cited)),
            *(hit for hit in hits if hit.id not in ids)]


def _top(hits: list[PassageHit], k: int) -> list[PassageHit]:
    return sorted(hits, key=lambda hit: (-hit.score, -hit.similarity, hit.id))[:k]


def _prefer_kind(hits: list[PassageHit], wanted: Kind, k: int) -> list[PassageHit]:
    """Raise the passages that carry what was asked. Only those the bonus could bring
    into the first k are read: matching every candidate cost 8 ms a question."""
    if not wanted or not hits:
        return hits
    top = _top(hits, k)
    bar = top[-1].score - KIND_BONUS
    return [replace(hit, score=hit.score + KIND_BONUS)
            if hit.score >= bar and carries(hit.text, wanted) else hit for hit in hits]


def _sentence(text: str, index: int) -> str:
    """A passage's sentence by index, split as the refresh split it (a change to the
    splitter changes PIPELINE_VERSION, so stored indexes always match)."""
    sentences = _split(text)
    return sentences[index] if 0 <= index < len(sentences) else ""


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[str, ...]:
    return tuple(split_sentences(text))


def _opening(hit: PassageHit, paragraph: int) -> str:
    """The sentence that opens a passage's paragraph `paragraph` where the passage holds
    several ("1. ... 2. It shall apply from ...", or definitions run together, numbered
    only in the heading path), else its first sentence."""
    if paragraph:
        number = re.compile(rf"\(?{paragraph}[.)]\s")
        found = next((sentence for sentence in _split(hit.text) if number.match(sentence)),
                     "") or unit_of(hit.text, hit.section, paragraph)
        if found:
            return found
    return _first_sentence(hit.text)


def _first_sentence(text: str) -> str:
    sentences = split_sentences(text)
    return sentences[0] if sentences else text
