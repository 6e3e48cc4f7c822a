"""End to end on the real essay: retrieval, cited answers, refusals."""

from __future__ import annotations

import json

import pytest

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from bot.serving.assistant import Assistant
from bot.serving.commands import Request
from bot.serving.render import answer_text
from knowledge.assembly.knowledge_base import KnowledgeBase
from tests.conftest import ESSAY, REPO

pytestmark = pytest.mark.e2e

PROBE = [json.loads(line) for line in
         (REPO / "tests" / "data" / "essay_probe.jsonl").read_text("utf-8").splitlines()]
ON_TOPIC = [p for p in PROBE if p["paragraph"] is not None]
OFF_TOPIC = [p for p in PROBE if p["paragraph"] is None]


@pytest.mark.parametrize("probe", ON_TOPIC, ids=[p["question"][:40] for p in ON_TOPIC])
def test_questions_find_their_paragraph(essay_kb: KnowledgeBase, probe: dict[str, object]) -> None:
    retrieval = essay_kb.retriever.search(str(probe["question"]), k=3)
    assert probe["paragraph"] in [hit.paragraph for hit in retrieval.hits]


def test_on_topic_questions_are_judged_relevant(essay_kb: KnowledgeBase) -> None:
    judged = {str(p["question"]): essay_kb.retriever.search(str(p["question"])).relevant
              for p in ON_TOPIC}
    # Measured 14 of 15 with the judge fitted on XQuAD and the real-corpus fit half
    # ("Which European companies will survive in the long run?" is the weak one).
    assert sum(judged.values()) >= 14, judged


def test_top1_accuracy_on_the_probe(essay_kb: KnowledgeBase) -> None:
    top = [essay_kb.retriever.search(str(p["question"]), k=1).hits[0].paragraph == p["paragraph"]
           for p in ON_TOPIC]
    assert sum(top) >= 12, top  # measured 13 of 15; see BENCHMARKS.md


@pytest.mark.parametrize("probe", OFF_TOPIC, ids=[p["question"][:40] for p in OFF_TOPIC])
def test_out_of_scope_questions_are_refused(essay_kb: KnowledgeBase,
                                            probe: dict[str, object]) -> None:
    answer = Answerer(essay_kb.retriever).answer(Question(str(probe["question"])))
    assert not answer.grounded
    assert answer.citations == ()
    assert "nothing about that" in answer.text
    assert "Der Mythos der europäischen KI-Souveränität" in answer.text  # what it covers


def test_english_question_gets_a_cited_answer(essay_kb: KnowledgeBase) -> None:
    answer = Answerer(essay_kb.retriever).answer(
        Question("Where do European startups get the GPU clusters to train their models?"))
    assert answer.grounded and answer.mode == "extractive"
    first = answer.citations[0]
    assert first.n == 1 and first.paragraph == 3
    assert first.section == "Wer gewinnt wirklich beim Open-Source-Rennen?"
    assert first.source == ESSAY.name
    assert first.quote in first.text
    assert "[1]" in answer.text
    assert all(f"[{c.n}]" in answer.text for c in answer.citations)
    rendered = answer_text(answer)
    assert f"»{first.quote}«" in rendered and "¶3" in rendered


@pytest.mark.parametrize("question", ["Was fordert der Autor von der Politik?",
                                      "What does the author demand from policymakers?"])
def test_the_demand_is_answered_with_the_sentence_that_states_it(
        essay_kb: KnowledgeBase, question: str) -> None:
    # The quote is the demand, not "Die Politik muss aufwachen."; the English question
    # names the essay ("the author"), which is what lets its weaker evidence count.
    answer = Answerer(essay_kb.retriever).answer(Question(question))
    assert answer.grounded
    assert answer.citations[0].paragraph == 6
    assert "High-Performance-Computing-Zentren" in answer.citations[0].quote
    assert answer.text.startswith(answer.citations[0].quote)


def test_naming_a_document_does_not_make_an_off_topic_question_answerable(
        essay_kb: KnowledgeBase) -> None:
    answer = Answerer(essay_kb.retriever).answer(
        Question("What does the author say about baking cheesecake?"))
    assert not answer.grounded


def test_a_question_is_never_quoted_as_the_answer(essay_kb: KnowledgeBase) -> None:
    answer = Answerer(essay_kb.retriever).answer(
        Question("Where do the GPU clusters of European startups come from?"))
    assert answer.grounded
    assert all(not c.quote.rstrip("»«“”\"' ").endswith("?") for c in answer.citations)


def test_assistant_commands(essay_kb: KnowledgeBase) -> None:
    assistant = Assistant(essay_kb, admins=frozenset({"@ana:example.org"}))
    assert "sources" in assistant.handle(Request.of("help")).text
    assert "1 document, 7 passages" in assistant.handle(Request.of("sources")).text
    refused = assistant.handle(Request.of("refresh", user="@bob:example.org", platform="matrix"))
    assert refused.text == "Sorry, only admins can refresh the knowledge base."
    allowed = assistant.handle(Request.of("refresh", user="@ana:example.org", platform="matrix"))
    assert allowed.text.startswith("Refresh done: 0 added, 0 changed, 0 removed, 1 unchanged")
    long = assistant.handle(Request.of("x" * 5000))
    assert "too long" in long.text and long.answer is None
    asked = assistant.handle(Request.of("ask Who really wins the open-source AI race?"))
    assert asked.answer is not None and asked.answer.grounded


def test_extractive_follow_up_borrows_the_thread_topic(essay_kb: KnowledgeBase) -> None:
    assistant = Assistant(essay_kb)
    follow_up = "And what does he propose instead?"
    alone = assistant.handle(Request.of(follow_up, thread="fresh")).answer
    assert alone is not None and not alone.grounded  # no topic words of its own
    assistant.handle(Request.of(
        "What does the author predict for European open-source AI projects?", thread="t"))
    answer = assistant.handle(Request.of(follow_up, thread="t")).answer
    assert answer is not None and answer.grounded
    assert 6 in [c.paragraph for c in answer.citations]  # the call for HPC investment
