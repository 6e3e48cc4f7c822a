"""The `policybot` command as a person or a script runs it: a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.openai_server import ChatReply, OpenAIServer
from tests.conftest import ESSAY, policybot

pytestmark = pytest.mark.e2e


def test_search_json_contract(cli_env: dict[str, str]) -> None:
    result = policybot(["search", "--json", "-k", "3", "Wer stellt die Rechenleistung bereit?"],
                       cli_env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["query"] == "Wer stellt die Rechenleistung bereit?"
    assert len(payload["passages"]) == 3
    first = payload["passages"][0]
    assert set(first) == {"id", "source", "title", "section", "text", "score", "url"}
    assert first["source"] == ESSAY.name
    scores = [p["score"] for p in payload["passages"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_json_contract_grounded_and_refused(cli_env: dict[str, str]) -> None:
    lines = "Who really wins the open-source AI race?\nHow do I bake a cheesecake?\n"
    result = policybot(["ask", "--json", "-"], cli_env, stdin=lines)
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


def test_sources_lists_documents(cli_env: dict[str, str]) -> None:
    result = policybot(["sources"], cli_env)
    assert result.returncode == 0
    assert "1 document, 7 passages" in result.stdout
    data = json.loads(policybot(["sources", "--json"], cli_env).stdout)
    assert data["documents"][0]["passages"] == 7
    assert data["documents"][0]["added"] is None


def test_chat_answers_and_understands_commands(cli_env: dict[str, str]) -> None:
    lines = "help\nsources\nWas fordert der Autor von der Politik?\nquit\n"
    result = policybot(["chat"], cli_env, stdin=lines)
    assert result.returncode == 0, result.stderr
    assert "refresh      re-read the sources" in result.stdout
    assert "7 passages" in result.stdout
    assert "[1]" in result.stdout and "¶6" in result.stdout


def test_run_without_adapters_opens_the_terminal_chat(cli_env: dict[str, str]) -> None:
    result = policybot(["run"], cli_env, stdin="sources\n")
    assert result.returncode == 0
    assert "7 passages" in result.stdout


def test_invalid_setting_stops_with_one_line(cli_env: dict[str, str]) -> None:
    result = policybot(["sources"], {**cli_env, "POLICYBOT_EMBEDDER": "word2vec"})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "policybot: POLICYBOT_EMBEDDER: unknown embedder 'word2vec'; choose e5-small, "
        "use-multilingual or openai:MODEL"
    ]


def test_empty_knowledge_base_is_one_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = policybot(["ask", "anything"], {**cli_env, "POLICYBOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "knowledge base is empty" in result.stderr


def test_stdout_stays_clean_with_debug_logging(cli_env: dict[str, str]) -> None:
    result = policybot(["search", "--json", "Politik"], {**cli_env, "POLICYBOT_LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0
    json.loads(result.stdout)  # nothing but the JSON object on stdout


def test_chat_compares_and_checks_with_and_without_a_model(cli_env: dict[str, str]) -> None:
    claim = "Die Gewinner sind diejenigen, die Rechenleistung bereitstellen."
    lines = f"Was sagen die Quellen zu Rechenleistung und GPU-Clustern?\ncheck {claim}\nquit\n"
    plain = policybot(["chat"], cli_env, stdin=lines)
    assert plain.returncode == 0, plain.stderr
    assert "What the sources say about “Rechenleistung und GPU-Clustern”" in plain.stdout
    assert "No verdict: that needs a language model" in plain.stdout
    with OpenAIServer() as model:
        model.script = lambda messages: ChatReply(
            json.dumps({"verdict": "supported", "passage": 1, "quote": claim})
            if "<claim>" in json.dumps(messages, ensure_ascii=False)
            else "D1: Der Essay sagt, Rechenleistung entscheide [1].")
        modelled = policybot(["chat"], {**cli_env, "POLICYBOT_LLM": "openai:test-model",
                                        "POLICYBOT_LLM_BASE_URL": model.url}, stdin=lines)
    assert modelled.returncode == 0, modelled.stderr
    assert "Der Essay sagt, Rechenleistung entscheide [1]." in modelled.stdout
    assert "Verdict: supported" in modelled.stdout and f"»{claim}«" in modelled.stdout


def test_the_terminal_chat_adds_and_removes_a_file(cli_env: dict[str, str],
                                                   tmp_path: Path) -> None:
    env = {**cli_env, "POLICYBOT_DATA_DIR": str(tmp_path / "data")}
    (tmp_path / "paper.md").write_text("# Cloud paper\n\nThe finance team expects sovereign "
                                       "cloud costs to double by 2028.\n", "utf-8")
    lines = ('add paper.md "Cloud paper"\nsources\n'
             "What does the finance team expect for sovereign cloud costs?\n"
             "add .env\nquit\n")
    result = policybot(["chat"], env, stdin=lines, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'Added "Cloud paper": 1 passage, searchable now.' in result.stdout
    assert "(chat:paper.md; added by terminal" in result.stdout
    assert "double by 2028" in result.stdout
    assert "Not added: .env: " in result.stdout
    (document,) = json.loads(policybot(["sources", "--json"], env).stdout)["documents"]
    assert document["added"]["by"] == "terminal" and document["added"]["from"] == "paper.md"
    result = policybot(["chat"], env, stdin="remove cloud paper\n", cwd=tmp_path)
    assert 'Removed "Cloud paper" and its 1 passage.' in result.stdout
    assert json.loads(policybot(["sources", "--json"], env).stdout)["documents"] == []
