"""`compare TOPIC`: parsed in chats (also in plain phrasing), answered per document, the
silent ones named; the `compare --json` contract; rendering on every surface."""

from __future__ import annotations

import json

from bot.adapters.matrix.format import comparison_content
from bot.adapters.slack.format import comparison_message
from bot.answering.answers import Citation
from bot.answering.comparing import ComparisonAnswer, Stance
from bot.serving.assistant import Assistant
from bot.serving.commands import Command, Request, parse
from bot.serving.render import comparison_text
from knowledge.assembly.knowledge_base import KnowledgeBase
from testing.slack_server import block_errors
from tests.conftest import policybot


def stance(n: int, title: str) -> Stance:
    citation = Citation(n=n, id=f"p{n}", source=f"doc{n}.md", title=title, section="Art. 1",
                        paragraph=1, text="Manufacturers shall report <vulnerabilities>.",
                        quote="Manufacturers shall report", url="", score=0.9)
    return Stance(f"doc{n}.md", title, None, (citation,))


def test_compare_is_a_command_and_a_plain_question() -> None:
    assert parse("compare incident reporting") == Command("compare", "incident reporting")
    assert parse("What do the sources say about open source?") == Command(
        "compare", "open source")
    assert parse("Was sagen die Quellen zur Cloud?") == Command("compare", "Cloud")
    assert parse("compare") == Command("compare", "")
    assert parse("What does the essay say about chips?").name == "ask"


def test_a_comparison_renders_per_document_on_every_surface() -> None:
    comparison = ComparisonAnswer("reporting", tuple(stance(n, f"Doc {n}") for n in range(7)),
                                  (("essay.txt", "Der Mythos"),))
    text = comparison_text(comparison, most=5)
    assert text.startswith("What the sources say about “reporting”:")
    assert "Doc 4 (doc4.md)" in text and "Doc 5 (doc5.md)" not in text
    assert "Also: Doc 5; Doc 6" in text and text.endswith("Silent: Der Mythos")
    slack = comparison_message(comparison)
    assert slack.blocks is not None and block_errors(slack.blocks) == []
    titles = [b["text"]["text"] for b in slack.blocks if b["type"] == "section"
              and b["text"]["text"].startswith("*Doc")]
    assert titles == [f"*Doc {n}*" for n in range(5)]
    assert "&lt;vulnerabilities&gt;" in json.dumps(slack.blocks)
    matrix = comparison_content(comparison)
    assert matrix["formatted_body"].count("<li>") == 5 and "Also: Doc 5; Doc 6" in \
        matrix["formatted_body"]
    assert matrix["m.mentions"] == {}


def test_the_assistant_compares_and_says_which_command_ran(essay_kb: KnowledgeBase) -> None:
    reply = Assistant(essay_kb).handle(Request.of(
        "What do the sources say about open-source AI?"))
    assert reply.command == "compare" and reply.comparison is not None
    assert [p.source for p in reply.comparison.positions] == [
        "mythos-europaeische-ki-souveraenitaet.txt"]
    empty = Assistant(essay_kb).handle(Request.of("compare"))
    assert empty.command == "compare" and "Give a topic" in empty.text


def test_compare_json_contract_and_bad_input(cli_env: dict[str, str]) -> None:
    result = policybot(["compare", "open-source AI models", "--json"], cli_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"topic", "positions", "silent", "agreement"}
    position = data["positions"][0]
    assert set(position) == {"source", "title", "summary", "citations"}
    assert position["summary"] is None and data["agreement"] is None
    assert set(position["citations"][0]) == {"n", "id", "source", "title", "section", "text",
                                             "quote", "url", "score"}
    off_topic = json.loads(policybot(["compare", "baking a cheesecake", "--json"],
                                     cli_env).stdout)
    assert off_topic["positions"] == [] and [s["source"] for s in off_topic["silent"]] == [
        "mythos-europaeische-ki-souveraenitaet.txt"]
    empty = policybot(["compare", " "], cli_env)
    assert empty.returncode == 2 and empty.stderr == "policybot: the topic is empty\n"
    huge = policybot(["compare", "cloud " * 4000, "--json"], cli_env)
    assert huge.returncode == 0, huge.stderr
