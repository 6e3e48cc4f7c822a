"""Who says what on a topic: the documents that speak to it, each with its best passages,
and those that are silent.

One search, deep enough that every document with something relevant has its best passages
among the hits, grouped by document; each document then judged on its own hits by the
same relevance judge as an answer (one call of the second embedder for all of them). A
document whose hits do not convince the judge is silent, not padded with weak matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.search.asked import Asked
from knowledge.search.results import PassageHit
from knowledge.search.retriever import Retriever

# Hits read per search: with 20+ documents the best passage of each relevant one is
# among them (a document ranked lower than this has nothing the judge would accept).
DEPTH = 60
PER_DOCUMENT = 2
# Documents judged, best first: judging costs one second-embedder pass over their
# sentences, and a chat message shows five positions. Lower-ranked documents are silent.
MAX_JUDGED = 12
# A document speaks to a topic only with this much more evidence than an answer needs: an
# answer is judged on the best passages of all documents, a position on one document's
# own, and a passing mention is not a position. Fitted on eval/compare-fit.jsonl (the
# weak false speakers stood at 0.7-1.5, true ones from 3.8 up); eval/compare.jsonl is the
# report set.
SPEAKS_ABOVE = 2.0
# Sentences of each document the second embedder reads (its pass is most of a comparison's
# time: 12 documents x 3 sentences cost ~80 ms; 1, 2 and 3 each placed the fit set alike,
# but one alone lost a true speaker: the best hit's sentence need not be the one on topic).
SENTENCES_JUDGED = 2


@dataclass(frozen=True)
class Position:
    source: str
    title: str
    hits: list[PassageHit]  # its best passages, best first
    relevance: float  # the judge's evidence for this document


@dataclass(frozen=True)
class Comparison:
    topic: str
    asked: Asked  # what the topic asks, as its search read it
    positions: list[Position]  # the documents that speak, most relevant first
    silent: list[tuple[str, str]]  # (source, title) of the others, by title


def compare(retriever: Retriever, topic: str, per_document: int = PER_DOCUMENT,
            translations: Mapping[str, str] | None = None) -> Comparison:
    """`translations`: the topic in other passage languages, searched with too."""
    state = retriever.state()
    retrieval = retriever.search(topic, k=DEPTH, per_language=True, judged=False,
                                 translations=translations)
    grouped: dict[str, list[PassageHit]] = {}
    for hit in retrieval.hits:
        grouped.setdefault(hit.source, []).append(hit)
    # Hits are best first: so are the documents. Each language's best document is judged
    # too, however far down (a German essay beside 2,000 English articles).
    ranked = list(grouped)
    firsts = list(dict.fromkeys(grouped[s][0].language for s in ranked))
    best_of_language = [next(s for s in ranked if grouped[s][0].language == language)
                        for language in firsts]
    sources = list(dict.fromkeys(ranked[:MAX_JUDGED] + best_of_language))
    evidences = retriever.judge.evidences(retrieval.query, [grouped[s] for s in sources],
                                         SENTENCES_JUDGED)
    positions = [Position(source, grouped[source][0].title, grouped[source][:per_document],
                          evidence)
                 for source, evidence in zip(sources, evidences, strict=True)
                 if evidence >= retriever.judge.threshold + SPEAKS_ABOVE]
    positions.sort(key=lambda p: (-p.relevance, p.title))
    speaking = {p.source for p in positions}
    silent = sorted(((key, entry.title) for key, entry in state.documents.items()
                     if key not in speaking), key=lambda pair: (pair[1], pair[0]))
    return Comparison(topic, retrieval.asked, positions, silent)
