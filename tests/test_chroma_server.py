"""Server mode: the same knowledge base against a real `chroma run` server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import errors
from bot.serving.assistant import Assistant
from bot.serving.commands import Request
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.core.errors import RefreshFailed, StoreError
from knowledge.index import store as store_module
from knowledge.index.embedders import E5Embedder
from testing.chroma_server import ChromaServer, free_port
from testing.token_proxy import TokenProxy
from tests.conftest import ESSAY, CountingEmbedder, make_kb, policybot

pytestmark = pytest.mark.e2e
QUESTION = "Wer stellt die Rechenleistung bereit?"


@pytest.fixture
def chroma(tmp_path: Path) -> Iterator[ChromaServer]:
    with ChromaServer(tmp_path / "chroma-server") as server:
        yield server


def server_kb(tmp_path: Path, sources: Path, server: ChromaServer,
              embedder: CountingEmbedder) -> KnowledgeBase:
    return make_kb(tmp_path / "data", [sources], embedder, chroma_url=server.url)


def test_refresh_search_and_ask_work_against_a_server(
        tmp_path: Path, sources_dir: Path, e5: E5Embedder, chroma: ChromaServer) -> None:
    counter = CountingEmbedder(e5)
    kb = server_kb(tmp_path, sources_dir, chroma, counter)
    assert kb.refresher.refresh().added == [ESSAY.name]
    assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally
    hits = kb.retriever.search(QUESTION, k=3).hits
    assert hits and hits[0].paragraph == 3
    embedded = counter.passages_embedded
    (sources_dir / "note.md").write_text("# Note\n\nCloud costs rise every year.\n", "utf-8")
    summary = kb.refresher.refresh()  # incremental: only the new file is embedded
    assert summary.added == ["note.md"] and summary.unchanged == [ESSAY.name]
    assert counter.passages_embedded - embedded == 1
    answer = Assistant(kb).handle(Request.of(QUESTION)).answer
    assert answer is not None and answer.grounded and answer.citations[0].paragraph == 3


def test_server_stopped_and_restarted_while_the_bot_runs(
        tmp_path: Path, sources_dir: Path, e5: E5Embedder, chroma: ChromaServer) -> None:
    kb = server_kb(tmp_path, sources_dir, chroma, CountingEmbedder(e5))
    kb.refresher.refresh()
    assistant = Assistant(kb)
    first = assistant.handle(Request.of(QUESTION)).answer
    assert first is not None and first.grounded
    chroma.stop()
    down = assistant.handle(Request.of(QUESTION))
    assert down.text == errors.STORE_DOWN
    (sources_dir / "note.md").write_text("# Note\n\nCloud costs rise.\n", "utf-8")
    before = kb.state_file.current()
    with pytest.raises(RefreshFailed):  # a refresh that must write fails cleanly
        kb.refresher.refresh()
    assert kb.state_file.current() == before
    chroma.start()  # same port, same data
    back = assistant.handle(Request.of(QUESTION)).answer
    assert back is not None and back.grounded and back.citations[0].paragraph == 3


def test_unreachable_server_at_start_up_is_one_line(cli_env: dict[str, str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = policybot(["search", "Politik"], {**cli_env, "POLICYBOT_CHROMA_URL": url})
    assert result.returncode == 1
    assert result.stderr == f"policybot: cannot reach the Chroma server at {url}\n"


def test_client_error_is_a_store_error(tmp_path: Path, e5: E5Embedder) -> None:
    kb = make_kb(tmp_path / "data", [], e5, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreError):
        _ = kb.store


def test_a_chroma_token_is_sent_with_every_request(
        tmp_path: Path, sources_dir: Path, e5: E5Embedder, chroma: ChromaServer) -> None:
    with TokenProxy(chroma.url, "s3cret-chroma-token") as guard:
        kb = make_kb(tmp_path / "data", [sources_dir], CountingEmbedder(e5),
                     chroma_url=guard.url, chroma_token="s3cret-chroma-token")
        assert kb.refresher.refresh().added == [ESSAY.name]
        assert kb.retriever.search(QUESTION, k=3).hits[0].paragraph == 3
        assert guard.passed > 0 and guard.refused == 0
        # Without the token the guard refuses, and the error says so.
        stranger = make_kb(tmp_path / "other", [sources_dir], CountingEmbedder(e5),
                           chroma_url=guard.url)
        with pytest.raises(StoreError, match="refused the request: a missing or wrong token"):
            stranger.retriever.search(QUESTION)
        assert guard.refused > 0


def test_a_server_that_hangs_is_a_store_error_not_a_hung_bot(
        tmp_path: Path, sources_dir: Path, e5: E5Embedder, chroma: ChromaServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "SERVER_TIMEOUT_SECONDS", 2.0)
    with TokenProxy(chroma.url, "t0ken-for-chroma") as guard:
        kb = make_kb(tmp_path / "data", [sources_dir], CountingEmbedder(e5),
                     chroma_url=guard.url, chroma_token="t0ken-for-chroma")
        kb.refresher.refresh()
        assistant = Assistant(kb)
        assert assistant.handle(Request.of(QUESTION)).answer is not None
        guard.hang = True
        started = time.monotonic()
        assert assistant.handle(Request.of(QUESTION)).text == errors.STORE_DOWN
        # Connecting anew to a server that hangs: a clear error too.
        with pytest.raises(StoreError, match="cannot reach"):
            make_kb(tmp_path / "other", [sources_dir], CountingEmbedder(e5),
                    chroma_url=guard.url, chroma_token="t0ken-for-chroma").retriever.search(
                        QUESTION)
        assert time.monotonic() - started < 30
        guard.hang = False
