"""A question that does not point back is asked alone, in every place a conversation could
lend it a topic; a real follow-up is still understood, in English and in German."""

from __future__ import annotations

import pytest

from bot.answering.extractive import Answerer
from bot.answering.follow_up import points_back, stands_for_something
from bot.answering.generation import GeneratedAnswerer
from bot.serving.assistant import Assistant, Tools
from bot.serving.commands import Request
from knowledge import KnowledgeBase
from testing.chat_fakes import ScriptedChatModel

ON_TOPIC = "What does the author predict for European open-source AI projects?"
ON_TOPIC_DE = "Was sagt der Autor europäischen Open-Source-KI-Projekten voraus?"
FOLLOW_UPS = ["And what does he propose instead?", "Und was schlägt er stattdessen vor?"]
OFF_TOPIC = ["What is the capital of Australia?", "How do I bake sourdough bread?",
             "Wie hoch ist das Budget des BSI?", "Wie backe ich ein Sauerteigbrot?"]


@pytest.mark.parametrize("question", [
    *FOLLOW_UPS, "What does the essay say about that?", "Was sagt der Essay dazu?",
    "Does that apply to SMEs?", "Was bedeutet das?", "Welche Pflichten haben sie?",
    "And Article 15?", "What does it say?"])
def test_a_follow_up_points_back(question: str) -> None:
    assert points_back(question)


@pytest.mark.parametrize("question", [
    *OFF_TOPIC, "Is it allowed to record calls?", "What is the law that regulates cookies?",
    "Gibt es eine Meldepflicht?", "Was müssen die Betreiber melden?",
    "Wer stellt die Rechenleistung bereit?", "What does the author demand?"])
def test_a_question_of_its_own_does_not(question: str) -> None:
    assert not points_back(question)


@pytest.mark.parametrize("question", ["And Article 14(2)?", "Und Absatz 1?",
                                      "What about DORA?"])
def test_a_question_that_only_goes_on_keeps_its_own_topic(question: str) -> None:
    # Searched joined with the previous question, "And Article 14(2)?" after "What does
    # Article 14 of DORA say?" cited Article 14(1) first; the thread names only the act.
    assert points_back(question) and not stands_for_something(question)


@pytest.mark.parametrize("off_topic", OFF_TOPIC)
def test_off_topic_after_on_topic_is_refused_and_a_follow_up_still_answered(
        essay_kb: KnowledgeBase, off_topic: str) -> None:
    assistant = Assistant(essay_kb, answerer=Answerer(essay_kb.retriever))
    assert assistant.handle(Request.of(ON_TOPIC, thread="t")).answer is not None
    off = assistant.handle(Request.of(off_topic, thread="t")).answer
    assert off is not None
    assert not off.grounded, off.text
    for follow_up in FOLLOW_UPS:
        again = Assistant(essay_kb, answerer=Answerer(essay_kb.retriever))
        again.handle(Request.of(ON_TOPIC, thread="t"))
        answer = again.handle(Request.of(follow_up, thread="t")).answer
        assert answer is not None and answer.grounded
        assert answer.citations[0].paragraph == 6, follow_up  # what he proposes


def test_with_a_model_an_off_topic_question_is_not_condensed_with_the_thread(
        essay_kb: KnowledgeBase) -> None:
    model = ScriptedChatModel(replies=["Er sagt eine Übernahme voraus [1].",
                                       RuntimeError("the condense call fails"),
                                       "Er schlägt Nischen vor [1]."])
    assistant = Assistant(essay_kb, tools=Tools(GeneratedAnswerer(essay_kb.retriever, model)))
    # German questions of a German essay: no quote to translate, no call but these.
    assistant.handle(Request.of(ON_TOPIC_DE, thread="t"))
    off = assistant.handle(Request.of("Wie hoch ist das Budget des BSI?", thread="t"))
    assert off.answer is not None and not off.answer.grounded
    assert len(model.calls) == 1  # neither condensed nor answered: refused alone
    # A follow-up is condensed; when that fails, the thread still lends it its topic.
    follow = assistant.handle(Request.of(FOLLOW_UPS[1], thread="t"))
    assert len(model.calls) == 3 and ON_TOPIC_DE in model.sent(1)
    assert follow.answer is not None and follow.answer.grounded
    assert follow.answer.citations[0].paragraph == 6
