"""Questions to answers without a language model: retrieval, then an extractive answer
with numbered citations."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from bot.answering.answers import Answer, Citation, Question
from bot.answering.follow_up import conversation_for, follow_up_query, stands_for_something
from bot.answering.memory import Turn
from knowledge import (
    CITATION_DISTANCE,
    MIN_STATEMENT_WORDS,
    Asked,
    KnowledgeState,
    PassageHit,
    Retrieval,
    Retriever,
    carries,
    defines,
    definition_clause,
    function_words,
    is_recital,
    split_sentences,
)

log = logging.getLogger(__name__)

# Sentences quoted besides the best one must match nearly as well (cosine on e5's
# compressed scale). Passages cited besides the best one: within CITATION_DISTANCE on the
# ranking scale, which the ranking stages' constants are measured against.
QUOTE_WITHIN = 0.01
MAX_CITATIONS = 3
MAX_SENTENCES_PER_PASSAGE = 2
# A statement carrying the kind of thing asked for is preferred by this much (cosine).
QUOTE_PREFERENCE = 0.01
QUOTE_CLOSERS = "\"'”“»«)] "
# A further citation whose quote has this much of its words in an earlier one adds
# nothing.
REPEATS_SHARE = 0.6
_WORD = re.compile(r"[^\W\d_]+")
_FUNCTION_WORDS = function_words()


def covered_topics(state: KnowledgeState, limit: int = 6) -> str:
    titles = sorted({entry.title for entry in state.documents.values() if entry.title})
    if not titles:
        return "nothing yet"
    shown = "; ".join(f"“{title}”" for title in titles[:limit])
    more = len(titles) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def refusal(question: str, state: KnowledgeState, missing: Sequence[str] = (),
            unknown: Sequence[str] = ()) -> Answer:
    """`missing`: the provisions asked for by number that no document has; `unknown`: the
    names the question uses that no document writes."""
    if missing:
        found = f"no {' or '.join(missing)} in the documents"
    elif unknown:
        found = f"no mention of {' or '.join(unknown)} in the documents"
    else:
        found = "nothing about that in the knowledge base"
    text = f"I found {found}, so I won't guess. It covers: {covered_topics(state)}."
    return Answer(question=question, text=text, grounded=False)


def choose_cited(hits: Sequence[PassageHit], asked: Asked) -> list[PassageHit]:
    """The best passage, and others only where they add to the answer: nearly as good a
    match, and a quote that says something the ones before do not."""
    best = hits[0].score  # calibrated across languages: comparable between hits
    chosen: list[PassageHit] = []
    quoted: list[set[str]] = []
    for hit in hits:
        if hit.score < best - CITATION_DISTANCE or len(chosen) == MAX_CITATIONS:
            break
        words = _content_words(" ".join(quoted_sentences(hit, asked)))
        # Measured against its own words: a long quote that holds a short earlier one's
        # words ("Der Hype um Open Source ...") still says more.
        repeated = next((i for i, earlier in enumerate(quoted)
                         if len(words & earlier) >= REPEATS_SHARE * len(words)), None)
        if repeated is None:
            chosen.append(hit)
            quoted.append(words)
        elif is_recital(chosen[repeated].section) and not is_recital(hit.section):
            # The same statement twice: a recital restating its article. The article
            # holds the rule ("shall be at least five years"); the recital explains it.
            chosen[repeated], quoted[repeated] = hit, words
    return chosen


def _content_words(text: str) -> set[str]:
    return {word for word in (w.lower() for w in _WORD.findall(text))
            if len(word) > 3 and word not in _FUNCTION_WORDS}


def quoted_sentences(hit: PassageHit, asked: Asked) -> list[str]:
    """The sentences quoted from a passage, in text order (see _ranked_quotes)."""
    return sorted(_ranked_quotes(hit, asked), key=lambda text: (hit.text.find(text), text))


def _ranked_quotes(hit: PassageHit, asked: Asked) -> list[str]:
    """The passage's best statement and, if nearly as good, the next best; best first.

    Best by the sentence search's similarity, with a small preference for a statement
    that carries what was asked (a date for "when", a number for "how many", a demand for
    "what does ... demand") or defines the term asked about ("What are sweeps?": "...
    coordinated control actions (sweeps)"), and against one too short to say anything of
    its own ("Die Politik muss aufwachen."). A question ("Woher kommen diese Cluster?") is
    never the answer.
    """
    candidates = list(hit.matched) or [(hit.sentence, hit.sentence_similarity)]
    wanted = asked.kind
    # As the passage words it: a German question may ask for an English definition.
    term = hit.defines or asked.term
    if term:
        # The definition, even where the search matched other sentences of the passage
        # better; of a list of definitions run together with ";", the one asked about.
        best = max(similarity for _, similarity in candidates)
        defining = [definition_clause(sentence, term) for sentence in split_sentences(hit.text)
                    if defines(sentence, term)]
        candidates = [*((clause, best) for clause in defining),
                      *((text, similarity) for text, similarity in candidates
                        if not any(clause in text for clause in defining))]
    statements = [c for c in candidates if not c[0].rstrip(QUOTE_CLOSERS).endswith("?")]

    def preference(text: str) -> float:
        if len(text.split()) < MIN_STATEMENT_WORDS:
            return -QUOTE_PREFERENCE
        return QUOTE_PREFERENCE if carries(text, wanted) or defines(text, term) else 0.0

    ranked = sorted(((similarity + preference(text), text)
                     for text, similarity in statements or candidates), key=lambda p: -p[0])
    best = ranked[0][0]
    return [text for score, text in ranked[:MAX_SENTENCES_PER_PASSAGE]
            if score >= best - QUOTE_WITHIN]


def quote_of(hit: PassageHit, asked: Asked) -> str:
    """One contiguous stretch of the passage to highlight: the quoted sentences where
    they stand together, else the best of them."""
    ranked = _ranked_quotes(hit, asked)
    text = hit.text
    ordered = sorted(ranked, key=lambda sentence: (text.find(sentence), sentence))
    first, last = text.find(ordered[0]), text.find(ordered[-1])
    if first < 0 or last < 0 or text[first + len(ordered[0]) : last].strip():
        return ranked[0]
    return text[first : last + len(ordered[-1])]


def cite(n: int, hit: PassageHit, asked: Asked) -> Citation:
    return Citation(
        n=n, id=hit.id, source=hit.source, title=hit.title, section=hit.section,
        paragraph=hit.paragraph, text=hit.text, quote=quote_of(hit, asked), url=hit.url,
        score=hit.similarity, language=hit.language,
    )


def carrying_first(hits: list[PassageHit], asked: Asked) -> list[PassageHit]:
    """The cited passages, those whose quote carries what was asked (the demand asked
    for, the date asked after) first: the answer opens with its answer."""
    wanted = asked.kind
    if not wanted or len(hits) < 2:
        return hits
    return sorted(hits, key=lambda hit: not any(
        carries(sentence, wanted) for sentence in quoted_sentences(hit, asked)))


def extractive_answer(question: str, retrieval: Retrieval) -> Answer:
    citations: list[Citation] = []
    parts: list[str] = []
    asked = retrieval.asked
    cited = carrying_first(choose_cited(retrieval.hits, asked), asked)
    for n, hit in enumerate(cited, start=1):
        citation = cite(n, hit, asked)
        citations.append(citation)
        parts.append(f"{citation.quote} [{n}]")
    return Answer(question=question, text=" ".join(parts), grounded=True,
                  citations=tuple(citations))


class AnswerSource(Protocol):
    """Turns a question (and the thread's earlier turns) into an answer."""

    def answer(self, question: Question, history: Sequence[Turn] = ()) -> Answer: ...


class Answerer:
    """Extractive answers: the default, and the fallback of generated ones."""

    def __init__(self, retriever: Retriever, k: int = 5) -> None:
        self.retriever = retriever
        self.k = k

    def retrieve(self, query: str, history: Sequence[Turn] = (),
                 condensed: bool = False,
                 translations: Mapping[str, str] | None = None) -> Retrieval:
        """Passages for the query; `history`: the turns it goes on from (none for a question
        asked alone, see follow_up); `condensed`: a model already resolved its references;
        `translations`: the query in other passage languages, searched with too."""
        if history and not condensed and stands_for_something(query):
            # "What does the essay say about that?": the thread names the topic. A
            # question that only goes on ("And Article 14(2)?") has a topic of its own;
            # the thread's questions are its context, naming the act.
            joined = self.retriever.search(follow_up_query(query, history), k=self.k)
            if joined.relevant:
                return joined
        retrieval = self.retriever.search(query, k=self.k, translations=translations,
                                          context=[turn.question for turn in history
                                                   if turn.question])
        log.debug("retrieval for %r: relevance %.2f", query, retrieval.relevance)
        if not retrieval.relevant and history:
            # "And what does he propose instead?" names no topic of its own.
            retry = self.retriever.search(follow_up_query(query, history), k=self.k)
            if retry.relevant:
                return retry
        return retrieval

    def respond(self, question: str, retrieval: Retrieval) -> Answer:
        if not retrieval.relevant or not retrieval.hits:
            return refusal(question, self.retriever.state(), retrieval.missing,
                           retrieval.unknown)
        return extractive_answer(question, retrieval)

    def scoped(self, scopes: frozenset[str] | None) -> Answerer:
        """This answerer as a place with these scopes asks (see Question.scopes)."""
        if scopes == self.retriever.scopes:
            return self
        view = copy.copy(self)
        view.retriever = self.retriever.scoped(scopes)
        return view

    def answer(self, question: Question, history: Sequence[Turn] = ()) -> Answer:
        if question.scopes != self.retriever.scopes:
            return self.scoped(question.scopes).answer(question, history)
        return self.respond(question.text, self.retrieve(
            question.text, conversation_for(question.text, history)))
