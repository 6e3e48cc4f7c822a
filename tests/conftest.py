"""Shared fixtures: real embedders, real Chroma, the real essay."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.index.embedders import E5Embedder, Embedder, Vectors
from testing.matrix_people import EventLoop
from testing.slack_server import SlackStandIn, wait_until
from testing.synapse_server import SynapseServer

# Settings made in this process find Ding's dictionary where this machine has it; the
# tests behave the same either way, and the dictionary's own tests name a file.
os.environ.setdefault("POLICYBOT_DICTIONARY", "off")

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
ESSAY = SEEDS / "mythos-europaeische-ki-souveraenitaet.txt"


class WrappedEmbedder(Embedder):
    """The real e5 embedder, passed through; tests change one of its ways."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.identity = inner.identity

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self.inner.embed_passages(texts)

    def embed_question(self, text: str) -> Vectors:
        return self.inner.embed_question(text)


class CountingEmbedder(WrappedEmbedder):
    """The real e5 embedder, counting how many texts it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.passages_embedded = 0

    def embed_passages(self, texts: list[str]) -> Vectors:
        self.passages_embedded += len(texts)
        return self.inner.embed_passages(texts)


@pytest.fixture(scope="session")
def e5() -> E5Embedder:
    return E5Embedder()


def make_kb(data_dir: Path, sources: list[Path], embedder: Embedder | None = None,
            **options: object) -> KnowledgeBase:
    options.setdefault("offline", True)
    # The same behaviour whether or not this machine has Ding's dictionary; the tests of
    # the dictionary name their own.
    options.setdefault("dictionary", "off")
    config = KnowledgeConfig(data_dir=data_dir, sources=tuple(sources),
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


@pytest.fixture
def own_kb(tmp_path: Path, sources_dir: Path, e5: E5Embedder) -> KnowledgeBase:
    """The essay, refreshed, in a knowledge base of the test's own (which it may change)."""
    kb = make_kb(tmp_path / "data", [sources_dir], e5)
    kb.refresher.refresh()
    return kb


def policybot(args: list[str], env: dict[str, str], stdin: str = "",
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The `policybot` command as a person or a script runs it: a real subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        env=env, cwd=cwd, timeout=300, check=False,
    )


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of a `policybot` whose knowledge base holds the essay, refreshed."""
    root = tmp_path_factory.mktemp("cli")
    sources = root / "sources"
    sources.mkdir()
    (sources / ESSAY.name).write_text(ESSAY.read_text("utf-8"), "utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    environment.update(POLICYBOT_DATA_DIR=str(root / "data"), POLICYBOT_SOURCES=str(sources),
                       POLICYBOT_OFFLINE="true", POLICYBOT_DICTIONARY="off",
                       PYTHONPATH=str(REPO))
    result = policybot(["refresh"], environment, cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Refresh done: 1 added")
    return environment


class Serving:
    """`policybot run` as a real process; `stop()` sends SIGTERM, as a service manager does."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], env=env, cwd=REPO, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout = self.stderr = ""

    def wait_ready(self, ready: Callable[[], object], what: str) -> None:
        wait_until(lambda: ready() or self.process.poll() is not None, timeout=120, what=what)
        assert self.process.poll() is None, self.process.communicate()[1]

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        self.stdout, self.stderr = self.process.communicate(timeout=60)
        return self.process.returncode

    def __enter__(self) -> Serving:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate(timeout=30)


def responds(url: str) -> bool:
    """Whether an HTTP server answers at `url` at all (any status): it is up."""
    try:
        httpx.get(url, timeout=5)
        return True
    except httpx.HTTPError:
        return False


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    """The local Slack stand-in; UAPPBOT is an app posting as a user (users.info: is_bot)."""
    with SlackStandIn(bots=frozenset({"UAPPBOT"})) as stand_in:
        yield stand_in


# Module-scoped: each test module that talks Matrix gets one homeserver (started in 2-5 s)
# and one event loop for its people, stopped when the module is done.
@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    server = SynapseServer(tmp_path_factory.mktemp("synapse")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def loop() -> Iterator[EventLoop]:
    event_loop = EventLoop()
    yield event_loop
    event_loop.close()
