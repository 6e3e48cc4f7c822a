"""The relevance judge asks its second opinion (USE, 12-19 ms of a question) only where
that opinion can change the verdict; the verdicts stay those of the full judgement."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from knowledge.search.judge import RelevanceJudge
from tests.conftest import CountingEmbedder

QUESTIONS = [
    "Wer gewinnt wirklich beim Open-Source-Rennen?",
    "Who really wins the open-source AI race?",
    "Was fordert der Autor von der Politik?",
    "Where do the GPU clusters of European startups come from?",
    "How do I bake a cheesecake?",
    "Wie wird das Wetter morgen in Berlin?",
    "What capital ratio do banks need under Basel III?",
]


@pytest.mark.e2e
def test_the_second_opinion_is_asked_only_where_it_can_change_the_verdict(
        essay_kb: KnowledgeBase) -> None:
    retriever = essay_kb.retriever
    judge: RelevanceJudge = retriever.judge
    assert judge.second is not None
    counting = CountingEmbedder(judge.second)
    judge.second = counting
    asked = skipped = 0
    try:
        for question in QUESTIONS:
            before = counting.passages_embedded
            retrieval = retriever.search(question)
            used = counting.passages_embedded - before
            full = judge.evidence(question, retrieval.hits)  # the whole judgement
            floor = judge.floor(retrieval.hits)
            assert floor <= full, question
            assert retrieval.relevant == (full >= judge.threshold), question
            if used:
                asked += 1
            else:
                skipped += 1
                assert floor >= judge.threshold, question
    finally:
        judge.second = counting.inner
    # Both ways happen on these questions: clear on-topic ones skip USE, the rest ask.
    assert skipped and asked, (skipped, asked)


def test_without_a_second_embedder_the_floor_is_the_evidence(
        essay_kb: KnowledgeBase) -> None:
    hits = essay_kb.retriever.search("Who really wins the open-source AI race?",
                                     judged=False).hits
    alone = RelevanceJudge(essay_kb.retriever.judge.embedder, None, None)
    assert np.isclose(alone.floor(hits), alone.evidence("any", hits))


def test_the_background_is_never_seen_half_built(e5: E5Embedder, tmp_path: Path) -> None:
    """Questions arriving together on a fresh judge (the first ones after a start, beside
    the warm-up) each see the whole paragraph background."""
    question = e5.embed_question("Who really wins the open-source AI race?")
    for attempt in range(20):
        judge = RelevanceJudge(e5, None, tmp_path)  # the background vectors: cached on disk
        start = threading.Barrier(6)

        def offsets(judge: RelevanceJudge = judge, start: threading.Barrier = start,
                    ) -> dict[str, float]:
            start.wait()
            return judge.offsets(question, ["en", "de", "fr"], paragraphs=True)

        with ThreadPoolExecutor(6) as pool:
            results = [future.result() for future in
                       [pool.submit(offsets) for _ in range(6)]]
        assert all(result == results[0] for result in results), attempt
