"""A refresh that was killed resumes; a corrupt state file or journal is recovered from."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.core.errors import EmbedderError, EmptyKnowledgeBase, RefreshFailed
from knowledge.index.embedders import E5Embedder, Embedder, Vectors
from tests.conftest import CountingEmbedder, make_kb

DOCUMENTS = 6


class FailingAfter(CountingEmbedder):
    """The real embedder, failing (as a killed process stops) after `calls` additions."""

    def __init__(self, inner: Embedder, calls: int) -> None:
        super().__init__(inner)
        self.calls = calls

    def embed_passages(self, texts: list[str]) -> Vectors:
        if self.calls == 0:
            raise EmbedderError("the process was killed")
        self.calls -= 1
        return super().embed_passages(texts)


def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    for n in range(DOCUMENTS):
        (folder / f"note{n}.md").write_text(
            f"# Note {n}\n\nCloud costs rose by {n} per cent this year, the finance team "
            f"says. Energy prices rose by {n + 2} per cent.\n", "utf-8")
    return folder


def test_a_killed_refresh_is_resumed_not_started_over(tmp_path: Path, e5: E5Embedder) -> None:
    folder = sources(tmp_path)
    full = CountingEmbedder(e5)
    make_kb(tmp_path / "full", [folder], full).refresher.refresh()
    dying = FailingAfter(e5, calls=4)
    with pytest.raises(RefreshFailed, match="killed"):
        make_kb(tmp_path / "data", [folder], dying).refresher.refresh()
    again = CountingEmbedder(e5)
    kb = make_kb(tmp_path / "data", [folder], again)
    summary = kb.refresher.refresh()
    assert len(summary.added) == DOCUMENTS
    assert again.passages_embedded == full.passages_embedded - dying.passages_embedded
    assert 0 < again.passages_embedded < full.passages_embedded
    assert kb.store.count(kb.state_file.current().collection) == full.passages_embedded
    assert kb.retriever.search("How much did energy prices rise?").hits


def test_a_document_changed_after_the_kill_is_embedded_again(tmp_path: Path,
                                                              e5: E5Embedder) -> None:
    folder = sources(tmp_path)
    with pytest.raises(RefreshFailed):
        make_kb(tmp_path / "data", [folder], FailingAfter(e5, calls=2)).refresher.refresh()
    (folder / "note0.md").write_text("# Note 0\n\nSomething else entirely.\n", "utf-8")
    kb = make_kb(tmp_path / "data", [folder], e5)
    kb.refresher.refresh()
    texts = [h.text for h in kb.retriever.search("Something else entirely", k=10).hits]
    assert "Something else entirely." in texts
    assert not any("rose by 0 per cent" in text for text in texts)  # the old rows went


def test_a_corrupt_state_file_is_rebuilt_by_the_next_refresh(tmp_path: Path,
                                                             e5: E5Embedder) -> None:
    folder = sources(tmp_path)
    kb = make_kb(tmp_path / "data", [folder], e5)
    kb.refresher.refresh()
    stored = kb.store.count(kb.state_file.current().collection)
    kb.state_file.path.write_text("{ this is not json", "utf-8")
    reader = make_kb(tmp_path / "data", [folder], e5)
    with pytest.raises(EmptyKnowledgeBase):
        reader.retriever.search("cloud costs")
    summary = reader.refresher.refresh()
    assert summary.rebuilt_because.startswith("The knowledge state file was unreadable")
    assert len(summary.added) == DOCUMENTS
    assert reader.store.count(reader.state_file.current().collection) == stored  # no twins
    assert reader.retriever.search("cloud costs").hits


def test_a_corrupt_journal_does_not_stop_a_refresh(tmp_path: Path, e5: E5Embedder) -> None:
    folder = sources(tmp_path)
    kb = make_kb(tmp_path / "data", [folder], e5)
    kb.state_file.journal_path.parent.mkdir(parents=True, exist_ok=True)
    kb.state_file.journal_path.write_text("[{broken", "utf-8")
    assert len(kb.refresher.refresh().added) == DOCUMENTS
