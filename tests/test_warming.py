"""`policybot run` loads the models while it starts, so the first question does not."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.serving.warming import warm_up
from knowledge.base import KnowledgeBase, KnowledgeConfig
from knowledge.embedders import E5Embedder, UseEmbedder


def test_the_models_are_loaded_in_the_background(essay_kb: KnowledgeBase) -> None:
    fresh = KnowledgeBase(essay_kb.config)  # its own embedders, nothing loaded yet
    embedder, second = fresh.embedder, fresh.retriever.judge.second
    assert isinstance(embedder, E5Embedder) and isinstance(second, UseEmbedder)
    assert embedder._model is None and second._model is None
    warm_up(fresh).join(120)
    assert embedder._model is not None and second._model is not None
    retrieval = fresh.retriever.search("Who really wins the open-source AI race?")
    assert retrieval.relevant and retrieval.hits


def test_an_empty_knowledge_base_is_no_error(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    kb = KnowledgeBase(KnowledgeConfig(data_dir=tmp_path / "data", sources=(), offline=True,
                                       dictionary="off"))
    with caplog.at_level(logging.INFO, logger="bot.serving.warming"):
        warm_up(kb).join(120)
    assert "models not warmed up: The knowledge base is empty" in caplog.text
