"""Questions about what a term means: answered with the regulation's definition of it,
found by its wording among the many passages that use the term."""

from __future__ import annotations

import pytest

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from knowledge.search.answer_kinds import definition_clause
from knowledge.search.glossary import Glossary, defined_terms
from tests.conftest import make_kb
from tests.regulation_pdf import CRA


def test_of_definitions_run_together_the_one_asked_about_is_its_clause() -> None:
    text = ("For the purposes of this Regulation, the following definitions apply: ‘software' "
            "means the part of an electronic information system which consists of computer "
            "code; ‘hardware' means a physical electronic information system; ‘component' "
            "means software or hardware intended for integration.")
    assert definition_clause(text, "hardware") == \
        "‘hardware' means a physical electronic information system;"
    assert definition_clause(text, "component").endswith("intended for integration.")
    assert definition_clause(text, "firmware") == text


def test_the_glossary_finds_a_term_by_any_inflection() -> None:
    glossary = Glossary([
        ("p1", "For the purposes of this Regulation: ‘software' means computer code; "
               "‘actively exploited vulnerability' means a vulnerability exploited."),
        ("p2", "Authorities shall conduct coordinated control actions (sweeps) of products "
               "referred to in Article 3, point (a), and (iv)."),
        ("p3", "Sweeps may include inspections of software."),
    ])
    assert glossary.defining("Software") == ["p1"]
    assert glossary.defining("actively exploited vulnerabilities") == ["p1"]
    assert glossary.defining("sweep") == ["p2"]
    assert glossary.defining("inspections") == []
    assert defined_terms("points (a) and (iv) of Article 3(12)") == set()


def articles(first: str, last: str) -> str:
    """The CRA's articles from `first` up to (not including) `last`, as converted."""
    text = CRA.read_text("utf-8")
    start = text.index(f"## Article {first}:")
    return "# Cyber Resilience Act (excerpt)\n\n" + text[start:text.index(f"## Article {last}:")]


@pytest.fixture(scope="module")
def cra_kb(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("definitions")
    sources = root / "sources"
    sources.mkdir()
    # The definitions, and articles that use the defined terms in nearly every sentence.
    (sources / "cra-excerpt.md").write_text(articles("3", "9"), "utf-8")
    kb = make_kb(root / "data", [sources], e5)
    kb.refresher.refresh()
    return kb


@pytest.mark.e2e
@pytest.mark.parametrize(("question", "definition"), [
    ("What is a product with digital elements?", "‘product with digital elements' means"),
    ("What are actively exploited vulnerabilities?", "‘actively exploited vulnerability' means"),
    ("What does 'component' mean?", "‘component' means"),
    # Too vague for the relevance judge on its own; the definition makes it answerable.
    ("What is a near miss?", "‘near miss' means"),
    # Asked in German of the English act: the term is found among those it defines.
    ("Was ist ein Hersteller?", "‘manufacturer' means"),
    ("Was ist eine wesentliche Änderung?", "‘substantial modification' means"),
    ("Was ist ein Händler?", "‘distributor' means"),
    # Not "software", the word the compound shares with a term the act defines.
    ("Was ist eine Software-Stückliste?", "‘software bill of materials' means"),
])
def test_a_question_about_a_term_is_answered_with_its_definition(
        cra_kb: KnowledgeBase, question: str, definition: str) -> None:
    answer = Answerer(cra_kb.retriever).answer(Question(question))
    assert answer.grounded
    first = answer.citations[0]
    assert first.quote.startswith(definition), first.quote
    assert "Article 3: Definitions" in first.section
    assert answer.text.startswith(first.quote)


@pytest.mark.e2e
def test_a_term_the_sources_do_not_define_is_still_refused(cra_kb: KnowledgeBase) -> None:
    answer = Answerer(cra_kb.retriever).answer(Question("What is a cheesecake?"))
    assert not answer.grounded


@pytest.mark.e2e
@pytest.mark.parametrize("question", [
    "What is data sovereignty?",  # in the glossary's own language: no other name for it
    "Was ist ein Rechenzentrum?",  # no term the act defines
    "Was ist ein Kuchen?",
])
def test_a_term_the_act_does_not_define_takes_no_definition_for_it(
        cra_kb: KnowledgeBase, question: str) -> None:
    retrieval = cra_kb.retriever.search(question)
    assert not any(hit.defines for hit in retrieval.hits), [
        (hit.defines, hit.section) for hit in retrieval.hits]
