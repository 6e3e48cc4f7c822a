"""Search: each passage language's candidates, ranked, steered to the documents a
question names or the provisions it cites, and judged for relevance (the verdict)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace

from knowledge.core.errors import EmptyKnowledgeBase
from knowledge.index.embedders import Embedder
from knowledge.index.state import KnowledgeState, StateFile
from knowledge.index.store import VectorStore
from knowledge.search.answer_kinds import formally_defines, holds, subject_stems
from knowledge.search.asked import Asked, read_question
from knowledge.search.candidates import CandidateSearch, QuestionVectors
from knowledge.search.catalogue import Catalogues
from knowledge.search.cited_provisions import cited_passages
from knowledge.search.judge import RelevanceJudge
from knowledge.search.mentions import unknown_names
from knowledge.search.ranking import STAGES, best_first, cited_first, named_leads, on_a_par
from knowledge.search.results import Fusion, PassageHit, Retrieval
from knowledge.search.terms import TermMatcher
from knowledge.text.languages import detect, evident
from knowledge.text.lexicon import Dictionary
from knowledge.text.words import share_found

_NO_EXPANSIONS: Mapping[str, list[str]] = {}
# About what the embedders read (512 tokens); a longer question is cut before anything.
MAX_QUERY_CHARS = 2000
# Evidence a question needs less when it names the document whose passage leads.
NAMED_RELIEF = 2.0
# What the verdict weighs besides the judge's evidence, each switched off by name in
# bench/ablation.py as the ranking stages are.
VERDICT_FEATURES = ("unknown names", "asked kind held", "named relief", "definitions answer")
# The passages that must hold what a question asks for (a name, a sum, a share): those an
# answer cites from.
HELD_IN = 3


class Retriever:
    def __init__(self, store: VectorStore, state_file: StateFile, judge: RelevanceJudge,
                 fusion: Fusion = "max", depth: int = 30,
                 dictionary: Dictionary | None = None) -> None:
        self.store = store
        self.state_file = state_file
        self.judge = judge
        self.catalogues = Catalogues(store)
        self.candidates = CandidateSearch(store, self.catalogues, fusion, depth)
        self.dictionary = dictionary
        self.terms = TermMatcher(judge.embedder, judge.second, judge.cache_dir)

    @property
    def embedder(self) -> Embedder:
        return self.store.embedder

    scopes: frozenset[str] | None = None  # the view searched (see `scoped`); None: all

    def state(self) -> KnowledgeState:
        """The snapshot searched: as a place with these scopes sees it (its documents
        only: their passages, titles and wording; nothing of another scope's)."""
        return self.state_file.current().visible(self.scopes)

    def scoped(self, scopes: frozenset[str] | None) -> Retriever:
        """This retriever as a place with `scopes` searches (None: everything); it shares
        the store, the judge and what is kept per snapshot."""
        if scopes == self.scopes:
            return self
        view = copy.copy(self)
        view.scopes = scopes
        return view

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
        languages, titles = self.catalogues.documents(state)
        asked = read_question(query, titles, context)
        wordings = {language: text[:MAX_QUERY_CHARS].strip()
                    for language, text in (translations or {}).items()}
        # The question word for word in the other language, through the dictionary, where
        # passages of that language are in the knowledge base and no model translated it.
        gloss, glossed_into = "", ""
        other = {"de": "en", "en": "de"}.get(asked.language, "")
        if other in languages and not wordings.get(other) and "gloss" not in \
                self.candidates.off:
            gloss, glossed_into = self._glossed(state, query, other), other
        defined = self._defined_terms(state, query, asked.term, languages) \
            if asked.term else {}
        asked = replace(asked, gloss=gloss, defined=defined)
        # Embedded together: one pass over e5's weights for both (a short text's cost).
        vectors = QuestionVectors(self.embedder, self.judge, query, languages,
                                  also=[gloss] if gloss else [])
        pools: list[list[PassageHit]] = []
        # Each language searched on its own, so that a language holding few passages is
        # not crowded out, then merged on a par (see ranking.on_a_par).
        for language in languages:
            glossed = language == glossed_into and bool(gloss)
            found = self.candidates.wordings_hits(
                state, vectors, asked, language, k, per_language, defined.get(language, ""),
                gloss if glossed else wordings.get(language, ""), glossed)
            pools.append(found)
        hits = [hit for found in on_a_par(pools, self.candidates.off) for hit in
                (best_first(found, k) if per_language else found)]
        led = False
        cited: list[PassageHit] = []
        absent = False
        if per_language:
            hits = best_first(hits, len(hits))
        else:
            for stage in STAGES:
                if stage.name == "named documents first":
                    led = named_leads(hits, asked.named.sources)
                if stage.name not in self.candidates.off:
                    hits = stage.run(hits, asked, k)
            if asked.references:
                cited, absent = cited_passages(self.candidates, state, list(asked.references),
                                               asked.named.sources, vectors, hits)
                hits = cited_first(cited, hits)
            hits = best_first(hits, k)
        if not hits or not judged:
            return Retrieval(query, asked, hits, relevant=False, relevance=0.0)
        off = self.candidates.off
        unknown = [] if "unknown names" in off else unknown_names(
            query, "en" in languages, titles,
            lambda: self.catalogues.wording(state, self._expansions()).mentions)
        if unknown:
            # "The maximum fine under the GDPR": fines abound, the GDPR is not among them.
            return Retrieval(query, asked, hits, relevant=False,
                             relevance=self.judge.floor(hits), unknown=tuple(unknown))
        if cited or absent:
            # Asked for a provision by number: it is the answer, however its wording
            # resembles the question's; one the documents do not have is no answer.
            # (The lookup decides; the margin alone goes to the log.)
            return Retrieval(query, asked, hits, relevant=bool(cited),
                             relevance=self.judge.floor(hits),
                             missing=tuple(r.name for r in asked.references) if absent else ())
        if asked.held and "asked kind held" not in off and not any(
                holds(hit.text, asked.held, self._subject(asked, hit))
                for hit in hits[:HELD_IN]):
            # "What is the BSI's annual budget?" near a passage on the BSI's tasks, or on
            # a coercive fine: no sum of money, no answer.
            return Retrieval(query, asked, hits, relevant=False,
                             relevance=self.judge.floor(hits))
        threshold = self.judge.threshold
        if led and "named relief" not in off:
            # "What does the author demand?": asked about a document by name, and its own
            # passage leads, a vague question about its argument is still about it.
            threshold -= NAMED_RELIEF
        # "What is a near miss?" where a passage says "'near miss' means ...": answerable
        # however little the rest of the wording resembles anything.
        answered = "definitions answer" not in off and formally_defines(
            hits[0].text, defined.get(hits[0].language, asked.term))
        # The second opinion only where it can change the verdict (see RelevanceJudge.floor).
        evidence = self.judge.floor(hits)
        if not answered and evidence < threshold:
            evidence = self.judge.evidence(query, hits)
        return Retrieval(query, asked, hits, relevant=answered or evidence >= threshold,
                         relevance=evidence)

    def languages(self) -> list[str]:
        """The passage languages the knowledge base holds (as stored: codes for the
        languages told apart, see knowledge/text/languages.py)."""
        return self.catalogues.documents(self.state())[0]

    def prepare(self) -> None:
        """Read now what the first questions of a snapshot would otherwise wait for: the
        dictionary, the documents' wording (their acronyms and acts: 3 s at 10k passages)
        and each language's catalogue (definitions, provisions: the first question asking
        for one waited 0.5 s at 5k passages), from one read of every passage."""
        if self.dictionary is not None:
            self.dictionary.lexicon()
        self.catalogues.prepare(self.state(), self._expansions())
        # With scoped documents, chat places search views: the one of no scope at least
        # is ready too (the rows are read once for all views).
        unscoped = self.state().visible(frozenset())
        if unscoped is not self.state():
            self.catalogues.prepare(unscoped, self._expansions())

    @staticmethod
    def _subject(asked: Asked, hit: PassageHit) -> frozenset[str]:
        """The stems a passage's sentence must share with the question to be about its
        subject: its own words, or its gloss's where the passage is in the other language;
        none (any sentence) where there is no gloss to tell by."""
        text = asked.text if hit.language == asked.language else asked.gloss
        return subject_stems(text) if text else frozenset()

    def _expansions(self) -> Mapping[str, list[str]]:
        """What acronyms stand for, from the dictionary (none without one)."""
        lexicon = self.dictionary.lexicon() if self.dictionary is not None else None
        return lexicon.acronyms() if lexicon is not None else _NO_EXPANSIONS

    def share_found(self, text: str, hit: PassageHit) -> float | None:
        """The share of a text's content words a passage holds; across languages also
        through the dictionary's gloss of the text into the passage's language (the
        better of the two), so that either direction is judged alike. None across
        languages without a dictionary: the words cannot tell."""
        own = share_found(text, hit.text)
        if not hit.language or detect(text, hit.language) == hit.language:
            return own
        gloss = self._glossed(self.state(), text, hit.language) \
            if hit.language in {"de", "en"} else ""
        return max(own, share_found(gloss, hit.text)) if gloss else None

    def _glossed(self, state: KnowledgeState, query: str, into: str = "en") -> str:
        """The question word for word in English (a German one) or German (an English
        one), each word's sense chosen by the words that language's passages use
        (knowledge/text/lexicon.py); "" without a dictionary."""
        lexicon = self.dictionary.lexicon() if self.dictionary is not None else None
        if lexicon is None:
            return ""
        wording = self.catalogues.wording(state, self._expansions())
        if into == "de":
            return lexicon.gloss_in_german(query, wording.german)
        return lexicon.gloss(query, wording.english)

    def _defined_terms(self, state: KnowledgeState, query: str, term: str,
                       languages: list[str]) -> dict[str, str]:
        """The term a question asks the meaning of, as each language's glossary words it:
        the asked wording where a glossary defines it; where none does, the term another
        language defines that it translates ("IKT-Altsystem": "legacy ICT system")."""
        glossaries = {language: self.catalogues.catalogue(state, language).glossary
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
