"""`help` fits the knowledge base: its examples come from the documents and each works as
typed; the README's first chat is what the bot says."""

from __future__ import annotations

import re

from bot.serving.assistant import Assistant
from bot.serving.commands import HELP, Request
from knowledge import KnowledgeBase
from tests.conftest import REPO


def test_each_help_example_works_as_typed(essay_kb: KnowledgeBase) -> None:
    assistant = Assistant(essay_kb)
    text = assistant.handle(Request.of("help")).text
    examples = re.findall(r"e\.g\. (.+)", text)
    assert len(examples) == 3 and text != HELP, text
    question, compare, check = examples
    asked = assistant.handle(Request.of(question))
    assert asked.answer is not None and asked.answer.grounded, question
    compared = assistant.handle(Request.of(compare))
    assert compare.startswith("compare ") and compared.comparison is not None
    assert compared.comparison.positions, compare
    checked = assistant.handle(Request.of(check))
    assert check.startswith("check ") and checked.check is not None
    claim = check.removeprefix("check ")
    assert any(claim in c.text for c in checked.check.claims[0].citations)
    # Nothing of another knowledge base (the fixed examples were about the CRA).
    assert "Manufacturers" not in text and "incident reporting" not in text


def test_help_answers_at_once_without_examples_while_they_are_made(
        essay_kb: KnowledgeBase) -> None:
    assistant = Assistant(essay_kb)
    assert assistant.help_text(wait=False) == HELP  # made in the background meanwhile
    assert assistant.help_text() != HELP


def transcript() -> list[tuple[str, list[str]]]:
    """The README's first chat: each input with the lines the bot answered."""
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.split("## A first chat", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    turns: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("you> "):
            turns.append((line.removeprefix("you> "), []))
        elif turns:
            turns[-1][1].append(line)
    return turns


def test_the_readmes_first_chat_is_what_the_bot_says(essay_kb: KnowledgeBase) -> None:
    assistant = Assistant(essay_kb)
    turns = transcript()
    assert [asked for asked, _ in turns][-2:] == ["help", "quit"] and len(turns) >= 4
    for asked, printed in turns[:-1]:
        # The terminal shows the sentence an answer rests on in colour, plain text
        # between » and «.
        plain = assistant.handle(Request.of(asked)).text.replace("»", "").replace("«", "")
        said = [line for line in plain.splitlines() if line.strip()]
        shown = [line for line in printed if line.strip()]
        if asked == "help":
            assert shown == said
            continue
        # The answer and each citation's heading line as printed; quotes the README cuts
        # ("…") are compared up to the cut.
        assert shown[0] == said[0], asked
        headings = [line for line in shown if line.startswith("[")]
        assert headings == [line for line in said if line.startswith("[")], asked
        for line in shown:
            if line.startswith("    "):
                kept = line.strip().removeprefix("…").removesuffix("…").strip()
                assert any(kept in s for s in said), (asked, line)
