"""Word overlap between a question and the passages a search found.

e5-small's vectors blur the exact terms a rule turns on: asked "How long must the support
period be at least?", the recital that says "no less than five years" and the article
that says "shall be at least five years" score alike. The share of the question's words a
passage holds tells them apart. Words are compared as stems, English and German stems
both (a question's language need not be its passages'), and weighted by how rare they
are among the passages found: words every candidate holds ("financial entities" in DORA)
weigh nothing, so no stop-word list beyond the function words is needed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

import Stemmer

from knowledge.text.languages import function_words

_WORD = re.compile(r"[^\W_]+")
_STEMMERS = (Stemmer.Stemmer("english"), Stemmer.Stemmer("german"))
_FUNCTION_WORDS = function_words()


@lru_cache(maxsize=65536)
def _stems(word: str) -> tuple[str, ...]:
    return tuple({stemmer.stemWord(word) for stemmer in _STEMMERS})


@lru_cache(maxsize=8192)
def terms(text: str) -> frozenset[str]:
    """The stems of a text's content words (cached: a passage comes back question after
    question)."""
    words = {w.lower() for w in _WORD.findall(text)}
    return frozenset(stem for word in words
                     if len(word) > 1 and word not in _FUNCTION_WORDS
                     for stem in _stems(word))


def overlap_shares(question: str, texts: Sequence[str]) -> list[float]:
    """For each text, the share of the question's terms it holds, each term weighted by
    its rarity among `texts` (BM25's idf): 0 holds none, 1 holds them all."""
    asked = terms(question)
    pool = [terms(text) for text in texts]
    if not asked or not pool:
        return [0.0] * len(pool)
    n = len(pool)
    weights = {}
    for term in sorted(asked):  # one summation order: the same sums in every process
        holding = sum(term in held for held in pool)
        weights[term] = math.log(1 + (n - holding + 0.5) / (holding + 0.5))
    total = sum(weights.values())
    if total <= 0:
        return [0.0] * n
    return [sum(w for term, w in weights.items() if term in held) / total for held in pool]
