"""Incremental, atomic refresh against a real Chroma store and the real e5 model."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.serving.render import refresh_text, sources_text, when
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.core.documents import PIPELINE_VERSION
from knowledge.core.errors import RefreshBusy, RefreshFailed
from knowledge.index.embedders import E5Embedder, UseEmbedder
from knowledge.index.state import DocumentEntry, KnowledgeState
from knowledge.index.store import KINDS
from testing.chroma_server import ChromaServer
from tests.conftest import ESSAY, CountingEmbedder, make_kb
from tests.pdf_maker import text_pdf

pytestmark = pytest.mark.e2e

Store = dict[str, str]  # make_kb options naming the store: embedded, or a Chroma server


@pytest.fixture(params=["embedded", "chroma-server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Every refresh test runs twice: on the embedded store and on a real `chroma run`."""
    if request.param == "embedded":
        yield {}
        return
    with ChromaServer(tmp_path / "chroma") as server:
        yield {"chroma_url": server.url}


NOTE = "# Cloud costs\n\nCloud costs decide which European AI startups survive.\n"


def kb_with_counter(tmp_path: Path, sources: Path, e5: E5Embedder,
                    store: Store) -> tuple[KnowledgeBase, CountingEmbedder]:
    counter = CountingEmbedder(e5)
    return make_kb(tmp_path / "data", [sources], counter, **store), counter


def test_first_refresh_then_nothing_to_do(store: Store, tmp_path: Path, sources_dir: Path,
                                          e5: E5Embedder) -> None:
    kb, counter = kb_with_counter(tmp_path, sources_dir, e5, store)
    first = kb.refresher.refresh()
    assert first.added == [ESSAY.name] and first.passages == 7
    assert counter.passages_embedded > 7  # passages and their sentences
    counter.passages_embedded = 0
    second = kb.refresher.refresh()
    assert second.unchanged == [ESSAY.name] and second.added == second.changed == []
    assert counter.passages_embedded == 0


def test_changed_file_is_reembedded_and_unchanged_one_is_not(store: Store,
        tmp_path: Path, sources_dir: Path, e5: E5Embedder) -> None:
    (sources_dir / "note.md").write_text(NOTE, encoding="utf-8")
    kb, counter = kb_with_counter(tmp_path, sources_dir, e5, store)
    kb.refresher.refresh()
    old_ids = {h.id for h in kb.retriever.search("cloud costs", k=10).hits}
    counter.passages_embedded = 0
    (sources_dir / "note.md").write_text(NOTE + "\nGPU prices rise every year.\n",
                                         encoding="utf-8")
    summary = kb.refresher.refresh()
    assert summary.changed == ["note.md"] and summary.unchanged == [ESSAY.name]
    # Only the note: its two tiny paragraphs make one passage, embedded with its two
    # sentences; the essay is not embedded again.
    assert counter.passages_embedded == 3
    hits = kb.retriever.search("GPU prices", k=3).hits
    assert hits[0].source == "note.md" and "GPU prices" in hits[0].text
    note_ids = {h.id for h in kb.retriever.search("cloud costs", k=20).hits
                if h.source == "note.md"}
    assert not note_ids & old_ids  # the old version is no longer visible


def test_removed_file_disappears(store: Store, tmp_path: Path, sources_dir: Path,
                                 e5: E5Embedder) -> None:
    (sources_dir / "note.md").write_text(NOTE, encoding="utf-8")
    kb, _ = kb_with_counter(tmp_path, sources_dir, e5, store)
    kb.refresher.refresh()
    (sources_dir / "note.md").unlink()
    summary = kb.refresher.refresh()
    assert summary.removed == ["note.md"]
    assert all(h.source != "note.md" for h in kb.retriever.search("cloud costs", k=20).hits)
    assert set(kb.state_file.current().documents) == {ESSAY.name}
    # The next refresh collects the garbage: the store then holds the essay only.
    kb.refresher.refresh()
    name = kb.state_file.current().collection
    for kind in KINDS:
        for language in ("en", "de"):
            assert kb.store.collection(name, kind, language).get(
                where={"source": "note.md"})["ids"] == []


def test_corrupt_file_is_reported_and_keeps_earlier_passages(store: Store,
        tmp_path: Path, sources_dir: Path, e5: E5Embedder) -> None:
    pdf = sources_dir / "report.pdf"
    pdf.write_bytes(text_pdf([["Public compute centres need coordinated investment."]]))
    kb, _ = kb_with_counter(tmp_path, sources_dir, e5, store)
    assert kb.refresher.refresh().added == sorted([ESSAY.name, "report.pdf"])
    pdf.write_bytes(b"%PDF-1.7\n garbage that is no PDF at all")
    (sources_dir / "new.md").write_text(NOTE, encoding="utf-8")
    summary = kb.refresher.refresh()
    assert [source for source, _ in summary.failed] == ["report.pdf"]
    assert "PDF" in summary.failed[0][1]
    assert summary.added == ["new.md"]  # the rest of the refresh went on
    hits = kb.retriever.search("coordinated investment in public compute", k=5).hits
    assert any(h.source == "report.pdf" for h in hits)  # the earlier passages stay
    # `sources` says which source failed, why, and when it was last read; one that never
    # was says so too.
    (sources_dir / "empty.txt").write_text("", encoding="utf-8")
    kb.refresher.refresh()
    state = kb.state_file.current()
    assert set(state.failed) == {"report.pdf", "empty.txt"}
    kept = state.documents["report.pdf"]
    assert state.failed["report.pdf"].last_worked == kept.read_at > 0
    assert state.failed["empty.txt"].last_worked == 0.0
    listing = sources_text(state)
    assert listing.startswith("3 documents, ")
    assert "Not read at the last refresh: 2 sources" in listing
    assert "empty.txt: no text found (never read)" in listing
    assert f"report.pdf: {summary.failed[0][1]} (last read {when(kept.read_at)})" in listing


def test_an_unreadable_source_is_reported_once(store: Store, tmp_path: Path,
                                                sources_dir: Path, e5: E5Embedder,
                                                caplog: pytest.LogCaptureFixture) -> None:
    (sources_dir / "broken.pdf").write_bytes(b"%PDF-1.7\n not a PDF")
    kb, _ = kb_with_counter(tmp_path, sources_dir, e5, store)
    with caplog.at_level(logging.WARNING):
        summary = kb.refresher.refresh()
    assert [source for source, _ in summary.failed] == ["broken.pdf"]
    assert not [r for r in caplog.records if "broken.pdf" in r.getMessage()]  # summary only
    assert "1 failed" in summary.line() and summary.line().count("passages") == 1


def test_missing_source_folder_leaves_the_knowledge_base_as_it_was(store: Store,
        tmp_path: Path, sources_dir: Path, e5: E5Embedder) -> None:
    kb, _ = kb_with_counter(tmp_path, sources_dir, e5, store)
    kb.refresher.refresh()
    before = kb.state_file.current()
    broken = make_kb(tmp_path / "data", [sources_dir, tmp_path / "gone"], e5, **store)
    with pytest.raises(RefreshFailed, match="not found"):
        broken.refresher.refresh()
    assert kb.state_file.current().documents == before.documents


def test_only_one_refresh_at_a_time(store: Store, tmp_path: Path, sources_dir: Path,
                                    e5: E5Embedder) -> None:
    kb, _ = kb_with_counter(tmp_path, sources_dir, e5, store)
    other = make_kb(tmp_path / "data", [sources_dir], e5, **store)  # as if another process
    started, release = threading.Event(), threading.Event()

    class Slow:
        def start(self, total: int) -> None:
            started.set()
            release.wait(30)

        def advance(self, source: str) -> None:
            pass

        def finish(self) -> None:
            pass

    worker = threading.Thread(target=kb.refresher.refresh, args=(Slow(),))
    worker.start()
    assert started.wait(30)
    with pytest.raises(RefreshBusy):
        kb.refresher.refresh()  # same process
    with pytest.raises(RefreshBusy):
        other.refresher.refresh()  # another refresher on the same data dir (file lock)
    release.set()
    worker.join(30)
    assert kb.refresher.refresh().unchanged == [ESSAY.name]


def test_switching_embedders_reembeds_everything(store: Store, tmp_path: Path, sources_dir: Path,
                                                 e5: E5Embedder) -> None:
    kb, _ = kb_with_counter(tmp_path, sources_dir, e5, store)
    kb.refresher.refresh()
    switched = make_kb(tmp_path / "data", [sources_dir], UseEmbedder(), **store)
    summary = switched.refresher.refresh()
    assert summary.rebuilt_from == "e5-small"
    assert summary.changed == [ESSAY.name]
    state = switched.state_file.current()
    assert state.embedder == "use-multilingual"
    hits = switched.retriever.search("Wer stellt die Rechenleistung bereit?", k=3).hits
    assert hits and hits[0].source == ESSAY.name
    switched.refresher.refresh()  # collects the old collection
    assert switched.store.names() == {state.collection}


def test_a_store_of_the_old_splitter_is_reembedded_and_the_summary_says_why(
        store: Store, tmp_path: Path, sources_dir: Path, e5: E5Embedder) -> None:
    kb, _ = kb_with_counter(tmp_path, sources_dir, e5, store)
    old = "policybot-v2-e5-small"  # what the paragraph splitter's store (layout v2) was
    for kind in KINDS:
        kb.store.client.get_or_create_collection(f"{old}-{kind}s")
    kb.state_file.replace(KnowledgeState(
        embedder="e5-small", collection=old, refreshed_at=1.0,
        documents={ESSAY.name: DocumentEntry(ESSAY.name, "t", "", "de", "v-old", 9, 1.0)}))
    summary = kb.refresher.refresh()
    assert "split by document structure" in summary.rebuilt_because
    assert summary.rebuilt_because in refresh_text(summary)
    assert summary.changed == [ESSAY.name] and summary.passages == 7
    kb.refresher.refresh()  # collects the old store
    assert kb.store.names() == {kb.state_file.current().collection}
    assert not any(c.name.startswith(old) for c in kb.store.client.list_collections())


def test_a_store_split_by_an_earlier_pipeline_is_reembedded_and_the_summary_says_why(
        tmp_path: Path, sources_dir: Path, e5: E5Embedder) -> None:
    kb, counter = kb_with_counter(tmp_path, sources_dir, e5, {})
    kb.refresher.refresh()
    state = kb.state_file.current()
    assert state.pipeline == PIPELINE_VERSION
    # As an earlier version left it: its documents' versions hold its pipeline's.
    earlier = {key: replace(entry, version=f"old-{entry.version}")
               for key, entry in state.documents.items()}
    kb.state_file.replace(replace(state, documents=earlier, pipeline=""))
    counter.passages_embedded = 0
    summary = kb.refresher.refresh()
    assert f"-> {PIPELINE_VERSION}" in summary.rebuilt_because
    assert summary.rebuilt_because in refresh_text(summary)
    assert summary.changed == [ESSAY.name] and counter.passages_embedded > 0
    assert kb.refresher.refresh().rebuilt_because == ""  # said once


def test_question_during_a_refresh_is_answered_from_old_or_new_state(store: Store,
        tmp_path: Path, sources_dir: Path, e5: E5Embedder) -> None:
    kb, _ = kb_with_counter(tmp_path, sources_dir, e5, store)
    kb.refresher.refresh()
    many = sources_dir / "many"
    many.mkdir()
    for i in range(12):
        (many / f"doc{i}.md").write_text(
            f"# Doc {i}\n\nQuokka census {i}: the quokkas of island {i} were counted.\n",
            encoding="utf-8")
    failures: list[str] = []
    answered = 0
    done = threading.Event()

    def refresh() -> None:
        kb.refresher.refresh()
        done.set()

    worker = threading.Thread(target=refresh)
    worker.start()
    while not done.is_set() or answered < 3:
        hits = kb.retriever.search("Wer stellt die Rechenleistung bereit?", k=3).hits
        answered += 1
        if not hits or hits[0].source != ESSAY.name:
            failures.append(f"unexpected top hit {hits[:1]}")
        # k far above the collection size: every live passage comes back, so a missing
        # new document can only mean a half-built state, not a ranking cut-off.
        sources = {h.source for h in kb.retriever.search("quokka census", k=500).hits}
        new = {s for s in sources if s.startswith("many/")}
        if new and len(new) != 12:
            failures.append(f"saw a half-built state: {sorted(new)}")
    worker.join()
    assert failures == []
    assert answered >= 3
