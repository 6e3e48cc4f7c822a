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
from collections.abc import Sequence

from knowledge.text.words import content_stems


def overlap_shares(question: str, texts: Sequence[str]) -> list[float]:
    """For each text, the share of the question's terms it holds, each term weighted by
    its rarity among `texts` (BM25's idf): 0 holds none, 1 holds them all."""
    asked = content_stems(question)
    pool = [content_stems(text) for text in texts]
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
