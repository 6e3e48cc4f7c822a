"""The `policybot` command as a person or a script runs it: a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ESSAY

pytestmark = pytest.mark.e2e


def policybot(args: list[str], env: dict[str, str], stdin: str = "",
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        env=env, cwd=cwd, timeout=300, check=False,
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli")
    sources = root / "sources"
    sources.mkdir()
    (sources / ESSAY.name).write_text(ESSAY.read_text("utf-8"), "utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    environment.update(POLICYBOT_DATA_DIR=str(root / "data"), POLICYBOT_SOURCES=str(sources),
                       POLICYBOT_OFFLINE="true", PYTHONPATH=str(Path.cwd()))
    result = policybot(["refresh"], environment, cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Refresh done: 1 added")
    return environment


def test_search_json_contract(env: dict[str, str]) -> None:
    result = policybot(["search", "--json", "-k", "3", "Wer stellt die Rechenleistung bereit?"],
                       env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["query"] == "Wer stellt die Rechenleistung bereit?"
    assert len(payload["passages"]) == 3
    first = payload["passages"][0]
    assert set(first) == {"id", "source", "title", "section", "text", "score", "url"}
    assert first["source"] == ESSAY.name
    scores = [p["score"] for p in payload["passages"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_json_contract_grounded_and_refused(env: dict[str, str]) -> None:
    lines = "Who really wins the open-source AI race?\nHow do I bake a cheesecake?\n"
    result = policybot(["ask", "--json", "-"], env, stdin=lines)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == 2
    grounded, refused = answers
    assert set(grounded) == {"question", "answer", "grounded", "mode", "citations"}
    assert grounded["grounded"] is True and grounded["mode"] == "extractive"
    citation = grounded["citations"][0]
    assert set(citation) == {"n", "id", "source", "title", "section", "text", "quote", "url",
                             "score"}
    assert citation["n"] == 1 and citation["quote"] in citation["text"]
    assert refused["grounded"] is False and refused["citations"] == []


def test_sources_lists_documents(env: dict[str, str]) -> None:
    result = policybot(["sources"], env)
    assert result.returncode == 0
    assert "1 documents, 7 passages" in result.stdout
    data = json.loads(policybot(["sources", "--json"], env).stdout)
    assert data["documents"][0]["passages"] == 7


def test_chat_answers_and_understands_commands(env: dict[str, str]) -> None:
    lines = "help\nsources\nWas fordert der Autor von der Politik?\nquit\n"
    result = policybot(["chat"], env, stdin=lines)
    assert result.returncode == 0, result.stderr
    assert "refresh      re-read the sources" in result.stdout
    assert "7 passages" in result.stdout
    assert "[1]" in result.stdout and "¶6" in result.stdout


def test_run_without_adapters_opens_the_terminal_chat(env: dict[str, str]) -> None:
    result = policybot(["run"], env, stdin="sources\n")
    assert result.returncode == 0
    assert "7 passages" in result.stdout


def test_invalid_setting_stops_with_one_line(env: dict[str, str]) -> None:
    result = policybot(["sources"], {**env, "POLICYBOT_EMBEDDER": "word2vec"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "policybot: POLICYBOT_EMBEDDER: unknown embedder 'word2vec'; choose e5-small, "
        "use-multilingual or openai:MODEL"
    ]


def test_empty_knowledge_base_is_one_line(env: dict[str, str], tmp_path: Path) -> None:
    result = policybot(["ask", "anything"], {**env, "POLICYBOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "knowledge base is empty" in result.stderr


def test_stdout_stays_clean_with_debug_logging(env: dict[str, str]) -> None:
    result = policybot(["search", "--json", "Politik"], {**env, "POLICYBOT_LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0
    json.loads(result.stdout)  # nothing but the JSON object on stdout
