"""Questions to answers without a language model: retrieval, then an extractive answer
with numbered citations."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.conversation import Answer, Citation, Question
from bot.memory import Turn
from knowledge.retrieval import PassageHit, Retrieval, Retriever
from knowledge.state import KnowledgeState

log = logging.getLogger(__name__)

# Passages cited besides the best one, and sentences quoted besides the best one, must
# match nearly as well (cosine on e5's compressed scale).
CITE_WITHIN = 0.015
QUOTE_WITHIN = 0.01
MAX_CITATIONS = 3
MAX_SENTENCES_PER_PASSAGE = 2


def covered_topics(state: KnowledgeState, limit: int = 6) -> str:
    titles = sorted({entry.title for entry in state.documents.values() if entry.title})
    if not titles:
        return "nothing yet"
    shown = "; ".join(f"“{title}”" for title in titles[:limit])
    more = len(titles) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def refusal(question: str, state: KnowledgeState) -> Answer:
    text = (
        "I found nothing about that in the knowledge base, so I won't guess. "
        f"It covers: {covered_topics(state)}."
    )
    return Answer(question=question, text=text, grounded=False)


def choose_cited(hits: Sequence[PassageHit]) -> list[PassageHit]:
    best = hits[0].similarity
    return [hit for hit in hits if hit.similarity >= best - CITE_WITHIN][:MAX_CITATIONS]


def quoted_sentences(hit: PassageHit) -> list[str]:
    """The passage's best sentence and, if nearly as good, the next best; in text order."""
    if not hit.matched:
        return [hit.sentence]
    best = hit.matched[0][1]
    chosen = [text for text, similarity in hit.matched[:MAX_SENTENCES_PER_PASSAGE]
              if similarity >= best - QUOTE_WITHIN]
    return sorted(chosen, key=lambda text: (hit.text.find(text), text))


def quote_span(text: str, sentences: list[str]) -> str:
    """One contiguous stretch of the passage to highlight: the sentences if adjacent."""
    first = text.find(sentences[0])
    last = text.find(sentences[-1])
    if first < 0 or last < 0:
        return sentences[0]
    between = text[first + len(sentences[0]) : last]
    if len(sentences) > 1 and between.strip():
        return max(sentences, key=len)  # not adjacent: highlight one
    return text[first : last + len(sentences[-1])]


def cite(n: int, hit: PassageHit) -> Citation:
    return Citation(
        n=n, id=hit.id, source=hit.source, title=hit.title, section=hit.section,
        paragraph=hit.paragraph, text=hit.text,
        quote=quote_span(hit.text, quoted_sentences(hit)), url=hit.url, score=hit.similarity,
    )


def extractive_answer(question: str, retrieval: Retrieval) -> Answer:
    citations: list[Citation] = []
    parts: list[str] = []
    for n, hit in enumerate(choose_cited(retrieval.hits), start=1):
        citations.append(cite(n, hit))
        parts.append(f"{' '.join(quoted_sentences(hit))} [{n}]")
    return Answer(question=question, text=" ".join(parts), grounded=True,
                  citations=tuple(citations))


def follow_up_query(question: str, history: Sequence[Turn]) -> str:
    """Without a model to rewrite a follow-up, the previous question lends it its topic."""
    return f"{history[-1].question} {question}" if history else question


class AnswerSource(Protocol):
    """Turns a question (and the thread's earlier turns) into an answer."""

    def answer(self, question: Question, history: Sequence[Turn] = ()) -> Answer: ...


class Answerer:
    """Extractive answers: the default, and the fallback of generated ones."""

    def __init__(self, retriever: Retriever, k: int = 5) -> None:
        self.retriever = retriever
        self.k = k

    def retrieve(self, query: str, history: Sequence[Turn] = ()) -> Retrieval:
        retrieval = self.retriever.search(query, k=self.k)
        log.debug("retrieval for %r: relevance %.2f", query, retrieval.relevance)
        if not retrieval.relevant and history:
            # "And what does he propose instead?" names no topic of its own.
            retry = self.retriever.search(follow_up_query(query, history), k=self.k)
            if retry.relevant:
                return retry
        return retrieval

    def respond(self, question: str, retrieval: Retrieval) -> Answer:
        if not retrieval.relevant or not retrieval.hits:
            return refusal(question, self.retriever.state())
        return extractive_answer(question, retrieval)

    def answer(self, question: Question, history: Sequence[Turn] = ()) -> Answer:
        return self.respond(question.text, self.retrieve(question.text, history))
