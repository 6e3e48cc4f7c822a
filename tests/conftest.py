"""Shared fixtures: real embedders, real Chroma, the real essay."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase, KnowledgeConfig
from knowledge.embedders import E5Embedder, Embedder, Matrix

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
ESSAY = SEEDS / "mythos-europaeische-ki-souveraenitaet.txt"


class CountingEmbedder(Embedder):
    """The real e5 embedder, counting how many texts it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.identity = inner.identity
        self.passages_embedded = 0

    def embed_passages(self, texts: list[str]) -> Matrix:
        self.passages_embedded += len(texts)
        return self.inner.embed_passages(texts)

    def embed_question(self, text: str) -> Matrix:
        return self.inner.embed_question(text)


@pytest.fixture(scope="session")
def e5() -> E5Embedder:
    return E5Embedder()


def make_kb(data_dir: Path, sources: list[Path], embedder: Embedder | None = None,
            **options: object) -> KnowledgeBase:
    config = KnowledgeConfig(data_dir=data_dir, sources=tuple(sources), offline=True,
                             **options)  # type: ignore[arg-type]
    kb = KnowledgeBase(config)
    if embedder is not None:
        kb.__dict__["embedder"] = embedder  # cached_property slot: share one loaded model
    return kb


@pytest.fixture(scope="session")
def essay_kb(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> KnowledgeBase:
    """The seeds as shipped, refreshed once for all read-only tests."""
    root = tmp_path_factory.mktemp("essay")
    kb = make_kb(root / "data", [SEEDS], e5)
    kb.refresher.refresh()
    return kb


@pytest.fixture
def sources_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(ESSAY, folder / ESSAY.name)
    yield folder
