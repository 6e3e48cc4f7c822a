"""The ranking stages a search runs on its candidates once they are fused: each a small
unit `(hits, asked, k) -> hits` with its constant beside it, run in the order the tuples
below give. `bench/ablation.py` switches each off in turn and measures what it does on
the language-pair grid; a stage that does not pay is removed.

Scores are on the ranking scale: a passage's similarity to the question, less the
question's similarity to unrelated text (see judge.RelevanceJudge and
candidates.CALIBRATION_SHARE), where the best on-topic passage stands some 0.05-0.1 above
the background. The answerer cites passages within CITATION_DISTANCE of the best on this
same scale, so every stage's constant is measured against it (tests/test_ranking.py holds
them together).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from knowledge.passages.headings import is_recital
from knowledge.search.answer_kinds import carries, defines, formally_defines
from knowledge.search.asked import Asked
from knowledge.search.overlap import overlap_shares
from knowledge.search.passage_sentences import sentences_of
from knowledge.search.results import PassageHit

# The answerer cites further passages only this close to the best one's score: nearly as
# good a match. Measured with the rest on the dev corpus (BENCHMARKS.md).
CITATION_DISTANCE = 0.015


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[list[PassageHit], Asked, int], list[PassageHit]]


def best_first(hits: list[PassageHit], k: int) -> list[PassageHit]:
    return sorted(hits, key=lambda hit: (-hit.score, -hit.similarity, hit.id))[:k]


def ranked(stages: tuple[Stage, ...], hits: list[PassageHit], asked: Asked, k: int,
           off: Collection[str] = ()) -> list[PassageHit]:
    """The hits after each stage in turn; `off`: names of stages left out (the ablation)."""
    for stage in stages:
        if stage.name not in off:
            hits = stage.run(hits, asked, k)
    return hits


# -- stages within one passage language, before the languages are merged -------------

# Recitals explain; the articles hold the rule. Asked "how often must ...", the article is
# the answer a recital paraphrases.
RECITAL_PENALTY = 0.01


def recitals_after_articles(hits: list[PassageHit], asked: Asked, k: int
                            ) -> list[PassageHit]:
    return [replace(hit, score=hit.score - RECITAL_PENALTY) if is_recital(hit.section)
            else hit for hit in hits]


# How much a passage of a document the question names is preferred.
NAMED_BONUS = 0.02


def named_documents_preferred(hits: list[PassageHit], asked: Asked, k: int
                              ) -> list[PassageHit]:
    named = asked.named.sources
    return [replace(hit, score=hit.score + NAMED_BONUS) if hit.source in named else hit
            for hit in hits] if named else hits


# A passage holding all of the question's rare words gains this much.
OVERLAP_WEIGHT = 0.03


def questions_words(hits: list[PassageHit], asked: Asked, k: int) -> list[PassageHit]:
    """One language's hits reordered by their score plus the share of the question's
    words each holds (weighted by their rarity among these hits; search/overlap.py).

    Reordered, not rescored: the hits keep the language's scores, handed out in the new
    order. Only a question's own language shares its words, and a bonus would pull a
    German question to the German essay away from the English rule that answers it."""
    shares = overlap_shares(asked.text, [f"{hit.section} {hit.text}" for hit in hits])
    scores = sorted((hit.score for hit in hits), reverse=True)
    order = sorted(zip(hits, shares, strict=True),
                   key=lambda pair: (-(pair[0].score + OVERLAP_WEIGHT * pair[1]), pair[0].id))
    return [replace(hit, score=score) for (hit, _), score in zip(order, scores, strict=True)]


LANGUAGE_STAGES = (
    Stage("recitals after articles", recitals_after_articles),
    Stage("named documents preferred", named_documents_preferred),
    Stage("question's words", questions_words),
)


# Each language's candidates are set on a par with the others' by the score of their
# POOL_RANK-th best: e5 scores a question's own language higher across the board, and a
# pool's own depth is the background that preference lifts alike (issue: a fair share for
# each language). On the grid's fit side, against scores merged as they were: EN->DE 19
# -> 21 of 30, DE->EN 8 -> 9 of 10, DE->DE 26 -> 25; the 1st, 5th and 10th best as
# reference did worse, the 25th and 30th alike; a z-score of the pool did worse.
POOL_RANK = 20


def on_a_par(pools: list[list[PassageHit]], off: Collection[str] = ()
             ) -> list[list[PassageHit]]:
    """Each language's hits, their scores less their pool's reference score. A language
    with fewer passages than POOL_RANK has no background to measure (its reference would
    be one of its own answers: a one-note English pool beside the essay set the note's
    best passage to 0 and below every German one); then scores stay as they were."""
    if "languages on a par" in off or len(pools) < 2 or \
            any(len(pool) < POOL_RANK for pool in pools):
        return pools
    shifted = []
    for pool in pools:
        reference = sorted((hit.score for hit in pool), reverse=True)[POOL_RANK - 1]
        shifted.append([replace(hit, score=hit.score - reference) for hit in pool])
    return shifted


def glossed_order(merged: list[PassageHit], own: list[PassageHit]) -> list[PassageHit]:
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


# -- stages over every language's hits together ---------------------------------------

# A passage that carries what was asked (a date, an amount, a demand).
KIND_BONUS = 0.01


def asked_kind(hits: list[PassageHit], asked: Asked, k: int) -> list[PassageHit]:
    """Raise the passages that carry what was asked. Only those the bonus could bring
    into the first k are read: matching every candidate cost 8 ms a question."""
    if not asked.kind or not hits:
        return hits
    top = best_first(hits, k)
    bar = top[-1].score - KIND_BONUS
    return [replace(hit, score=hit.score + KIND_BONUS)
            if hit.score >= bar and carries(hit.text, asked.kind) else hit for hit in hits]


# A lifted group of passages stands this far above the best of the rest: further than
# the citation distance, so that what a stage lifts is cited alone.
LIFT_MARGIN = 0.02


def lift_chosen(hits: list[PassageHit], chosen: Callable[[PassageHit], bool]
                ) -> list[PassageHit]:
    """The chosen hits lifted, together and in their order, just above the best of the
    rest (where they do not lead already)."""
    picked = [chosen(hit) for hit in hits]  # once: a definition test reads every sentence
    best = max((hit.score for hit in hits), default=0.0)
    best_chosen = max((hit.score for hit, lifted in zip(hits, picked, strict=True)
                       if lifted), default=None)
    if best_chosen is None or best_chosen >= best:
        return hits
    lift = best - best_chosen + LIFT_MARGIN
    return [replace(hit, score=hit.score + lift) if lifted else hit
            for hit, lifted in zip(hits, picked, strict=True)]


def definitions_first(hits: list[PassageHit], asked: Asked, k: int) -> list[PassageHit]:
    """Passages that define the term a question asks about (as their language's glossary
    words it) lead ("What are sweeps?"), a formal definition ("'sweep' means ...") before a
    recital explaining it. Each is marked with the term it defines, for the quote."""
    terms = asked.defined
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
    return lift_chosen(lift_chosen(hits, defining), formal)


def named_leads(hits: list[PassageHit], named: Collection[str]) -> bool:
    """Whether a document the question names holds the best hit already."""
    best = max(hits, key=lambda hit: hit.score, default=None)
    return best is not None and any(hit.source in named and hit.score >= best.score
                                    for hit in hits)


def named_documents_first(hits: list[PassageHit], asked: Asked, k: int
                          ) -> list[PassageHit]:
    """The documents a question names lead: their passages are lifted, together, just
    above the best of the rest ("What does the author demand from policymakers?" in a
    knowledge base where DORA's requests for information match "demand" better than the
    essay's demand does)."""
    named = asked.named.sources
    return lift_chosen(hits, lambda hit: hit.source in named) if named else hits


STAGES = (
    Stage("asked kind", asked_kind),
    Stage("definitions first", definitions_first),
    Stage("named documents first", named_documents_first),
)


# -- provisions cited by number lead everything ---------------------------------------

# The cited provision's passages stand this far above every other hit.
CITED_MARGIN = 0.02
# Between two passages of a cited provision in the order they answer: small enough that
# the first three stay within the answer's citation distance.
CITED_STEP = 0.001


def cited_first(cited: list[PassageHit], hits: list[PassageHit]) -> list[PassageHit]:
    """The cited provision's passages first, in their order, above every other hit."""
    if not cited:
        return hits
    top = max(hit.score for hit in [*cited, *hits]) + CITED_MARGIN
    ids = {hit.id for hit in cited}
    return [*(replace(hit, score=top - CITED_STEP * n) for n, hit in enumerate(cited)),
            *(hit for hit in hits if hit.id not in ids)]


def first_of_each_document(hits: list[PassageHit]) -> list[PassageHit]:
    """The first of each document's hits (they come in document order)."""
    first: dict[str, PassageHit] = {}
    for hit in hits:
        first.setdefault(hit.source, hit)
    return list(first.values())
