"""`policybot run` loads the models while it starts, so the first question does not."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot.serving.warming import warm_up
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.index.embedders import E5Embedder, UseEmbedder


def test_the_models_are_loaded_in_the_background(essay_kb: KnowledgeBase,
                                                 tmp_path: Path) -> None:
    words = tmp_path / "de-en"
    words.write_text("Risiko {n} | Risiken {pl} :: risk | risks\n", encoding="utf-8")
    # Its own embedders and dictionary, nothing loaded yet.
    fresh = KnowledgeBase(replace(essay_kb.config, dictionary=str(words)))
    embedder, second = fresh.embedder, fresh.retriever.judge.second
    dictionary = fresh.retriever.dictionary
    assert isinstance(embedder, E5Embedder) and isinstance(second, UseEmbedder)
    assert dictionary is not None
    assert embedder._model is None and second._model is None
    state = fresh.retriever.state()
    catalogues = fresh.retriever.catalogues
    assert dictionary._lexicon is None and catalogues._wording.get(state) is None
    assert catalogues._catalogues.get(state) is None
    warm_up(fresh).join(120)
    assert embedder._model is not None and second._model is not None
    assert dictionary._lexicon is not None and catalogues._wording.get(state) is not None
    # The definitions and provisions of each language, from the same read.
    assert set(catalogues._catalogues.get(state) or {}) == {"de"}
    retrieval = fresh.retriever.search("Who really wins the open-source AI race?")
    assert retrieval.relevant and retrieval.hits


def test_an_empty_knowledge_base_is_no_error(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    kb = KnowledgeBase(KnowledgeConfig(data_dir=tmp_path / "data", sources=(), offline=True,
                                       dictionary="off"))
    with caplog.at_level(logging.INFO, logger="bot.serving.warming"):
        warm_up(kb).join(120)
    assert "models not warmed up: The knowledge base is empty" in caplog.text
