"""The ranking stages a search runs on its candidates, after they are fused: a gloss's
order, the question's words, the asked kind, definitions, named documents, and cited
provisions leading. Kept together here, each with its constant, for the ranking work to
rebuild (issue: ranking as named stages)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from knowledge.search.answer_kinds import Kind, carries, defines, formally_defines
from knowledge.search.overlap import overlap_shares
from knowledge.search.passage_sentences import sentences_of
from knowledge.search.results import PassageHit

# How much a passage of a document the question names is preferred, on the calibrated
# scale (where the best on-topic passage stands some 0.05-0.1 above the background).
STEER_BONUS = 0.02
# A passage that carries what was asked (a date, an amount, a demand).
KIND_BONUS = 0.01
# A passage holding all of the question's rare words gains this much (calibrated scale).
OVERLAP_WEIGHT = 0.03
# Between two passages of a cited provision in the order they answer: small enough that
# the first three stay within the answer's citation distance.
_CITED_STEP = 0.001


def reordered(merged: list[PassageHit], own: list[PassageHit]) -> list[PassageHit]:
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


def with_overlap(query: str, hits: list[PassageHit]) -> list[PassageHit]:
    """One language's hits reordered by their score plus the share of the question's
    words each holds (weighted by their rarity among these hits; knowledge/search/overlap.py).

    Reordered, not rescored: the hits keep the language's scores, handed out in the new
    order. Only a question's own language shares its words, and a bonus would pull a
    German question to the German essay away from the English rule that answers it."""
    shares = overlap_shares(query, [f"{hit.section} {hit.text}" for hit in hits])
    scores = sorted((hit.score for hit in hits), reverse=True)
    order = sorted(zip(hits, shares, strict=True),
                   key=lambda pair: (-(pair[0].score + OVERLAP_WEIGHT * pair[1]), pair[0].id))
    return [replace(hit, score=score) for (hit, _), score in zip(order, scores, strict=True)]


def named_first(hits: list[PassageHit],
                named: frozenset[str]) -> tuple[list[PassageHit], bool]:
    """The documents a question names lead: their passages are lifted, together, just
    above the best of the rest ("What does the author demand from policymakers?" in a
    knowledge base where DORA's requests for information match "demand" better than the
    essay's demand does). Also says whether a named document led on its own."""
    return lift_chosen(hits, lambda hit: hit.source in named)


def defining_first(hits: list[PassageHit],
                   terms: Mapping[str, str]) -> list[PassageHit]:
    """Passages that define the term a question asks about (as their language's glossary
    words it) lead ("What are sweeps?"), a formal definition ("'sweep' means ...") before a
    recital explaining it. Each is marked with the term it defines, for the quote."""
    if not terms:
        return hits

    def defining(hit: PassageHit) -> bool:
        term = terms.get(hit.language, "")
        return bool(term) and any(defines(sentence, term) for sentence in sentences_of(hit.text))

    def formal(hit: PassageHit) -> bool:
        # The formal form needs no sentence start: searched in the whole passage.
        return formally_defines(hit.text, terms.get(hit.language, ""))

    hits = [replace(hit, defines=terms[hit.language]) if defining(hit) or formal(hit) else hit
            for hit in hits]
    hits = lift_chosen(hits, defining)[0]
    return lift_chosen(hits, formal)[0]


def lift_chosen(hits: list[PassageHit],
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


def first_of_each_document(hits: list[PassageHit]) -> list[PassageHit]:
    """The first of each document's hits (they come in document order)."""
    first: dict[str, PassageHit] = {}
    for hit in hits:
        first.setdefault(hit.source, hit)
    return list(first.values())


def leading(cited: list[PassageHit], hits: list[PassageHit]) -> list[PassageHit]:
    """The cited provision's passages first, in their order, above every other hit."""
    if not cited:
        return hits
    top = max(hit.score for hit in [*cited, *hits]) + STEER_BONUS
    ids = {hit.id for hit in cited}
    return [*(replace(hit, score=top - _CITED_STEP * n) for n, hit in enumerate(cited)),
            *(hit for hit in hits if hit.id not in ids)]


def best_first(hits: list[PassageHit], k: int) -> list[PassageHit]:
    return sorted(hits, key=lambda hit: (-hit.score, -hit.similarity, hit.id))[:k]


def prefer_kind(hits: list[PassageHit], wanted: Kind, k: int) -> list[PassageHit]:
    """Raise the passages that carry what was asked. Only those the bonus could bring
    into the first k are read: matching every candidate cost 8 ms a question."""
    if not wanted or not hits:
        return hits
    top = best_first(hits, k)
    bar = top[-1].score - KIND_BONUS
    return [replace(hit, score=hit.score + KIND_BONUS)
            if hit.score >= bar and carries(hit.text, wanted) else hit for hit in hits]
