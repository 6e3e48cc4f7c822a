"""With a model, a question is also searched with in the other languages of a mixed
knowledge base. Models are scripted; the knowledge base is the essay beside an English
regulation excerpt, embedded for real."""

from __future__ import annotations

import pytest

from bot.answering.answers import Question
from bot.answering.comparing import PositionWriter, compare_sources
from bot.answering.generation import GeneratedAnswerer
from bot.answering.translation import QuestionTranslator
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from knowledge.search.results import PassageHit
from testing.chat_fakes import ScriptedChatModel
from tests.conftest import SEEDS, make_kb

DESIGNATION = (
    "1. The ESAs, through the Joint Committee and upon recommendation from the Oversight "
    "Forum, shall designate the ICT third-party service providers that are critical for "
    "financial entities, following an assessment that takes into account the systemic "
    "impact on the stability, continuity or quality of the provision of financial services.")
REGULATION = f"""# Digital operational resilience (excerpt)

## Article 31: Designation of critical ICT third-party service providers

{DESIGNATION}

## Article 35: Powers of the Lead Overseer

1. The Lead Overseer may impose a periodic penalty payment to compel the critical ICT
third-party service provider to comply. The amount of the periodic penalty payment shall
be up to 1 % of the average daily worldwide turnover of the provider in the preceding
business year.

## Article 26: Advanced testing by means of threat-led penetration testing

1. Financial entities identified as significant shall carry out at least every 3 years
advanced testing by means of threat-led penetration testing covering several or all
critical or important functions.
"""
GERMAN = "Wer benennt die kritischen IKT-Drittdienstleister?"
ENGLISH = "Who designates the critical ICT third-party service providers?"


@pytest.fixture(scope="module")
def mixed_kb(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("mixed")
    regulations = root / "regulations"
    regulations.mkdir()
    (regulations / "dora-excerpt.md").write_text(REGULATION, encoding="utf-8")
    kb = make_kb(root / "data", [SEEDS, regulations], e5)
    kb.refresher.refresh()
    return kb


def test_the_question_is_put_into_each_other_language_of_a_mixed_base() -> None:
    model = ScriptedChatModel(replies=[f"„{ENGLISH}“\n(translated)"])
    assert QuestionTranslator(model)(GERMAN, ["de", "en"]) == {"en": ENGLISH}
    assert len(model.calls) == 1
    assert "into English" in model.sent(0) and f"<question>{GERMAN}</question>" in model.sent(0)
    # One language: nothing to ask. A failing or rambling model: searched as asked.
    assert QuestionTranslator(ScriptedChatModel(replies=[]))(GERMAN, ["en"]) == {}
    assert QuestionTranslator(ScriptedChatModel(replies=[RuntimeError("down")]))(
        GERMAN, ["de", "en"]) == {}
    assert QuestionTranslator(ScriptedChatModel(replies=["word " * 200]))(
        GERMAN, ["de", "en"]) == {}


def test_a_passage_keeps_the_better_score_of_the_question_and_its_translation(
        mixed_kb: KnowledgeBase) -> None:
    retriever = mixed_kb.retriever
    assert retriever.languages() == ["de", "en"]

    def similarity(hits: list[PassageHit], text: str) -> float:
        return next((h.similarity for h in hits if text in h.text), -1.0)

    plain = retriever.search(GERMAN, k=10).hits
    direct = retriever.search(ENGLISH, k=10).hits
    both = retriever.search(GERMAN, k=10, translations={"en": ENGLISH}).hits
    found = similarity(both, "shall designate")
    assert found == max(similarity(plain, "shall designate"),
                        similarity(direct, "shall designate"))
    assert found > similarity(plain, "shall designate")  # the English wording finds it best
    assert "shall designate" in both[0].text


def test_a_generated_answer_searches_with_the_translated_question(
        mixed_kb: KnowledgeBase) -> None:
    model = ScriptedChatModel(replies=[ENGLISH, "Die ESAs benennen sie [1]."])
    answer = GeneratedAnswerer(mixed_kb.retriever, model).answer(Question(GERMAN))
    assert "into English" in model.sent(0)
    assert answer.grounded and answer.mode == "llm"
    assert "shall designate" in answer.citations[0].text
    # The translation is only searched with: the answer prompt has the question as asked.
    assert GERMAN in model.sent(1) and ENGLISH not in model.sent(1)


def test_a_comparison_searches_each_language_with_its_own_wording(
        mixed_kb: KnowledgeBase) -> None:
    model = ScriptedChatModel(replies=["periodic penalty payment",
                                       "D1: Up to 1 % of the daily turnover [1].",
                                       "1: Bis zu 1 % des Tagesumsatzes."])
    comparison = compare_sources(mixed_kb.retriever, "Zwangsgeld für Anbieter",
                                 PositionWriter(model))
    assert "into English" in model.sent(0)
    cited = [c.text for p in comparison.positions for c in p.citations]
    assert any("periodic penalty payment shall" in text for text in cited)
