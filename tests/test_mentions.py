"""A question naming an acronym or an act no document writes ("the GDPR", "the Digital
Services Act") is about something the knowledge base does not hold, however close its
passages come."""

from __future__ import annotations

import pytest

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from knowledge.search.mentions import Mentions, acronyms, act_names, is_acronym
from tests.conftest import make_kb
from tests.regulation_pdf import DORA


@pytest.mark.parametrize(("word", "is_one"), [
    ("GDPR", True), ("EU", True), ("ESAs", True), ("NIS2", True), ("H100", True),
    ("ICT", True), ("Gdpr", False), ("A", False), ("A1", False), ("2024", False),
    ("Article", False), ("KI", True), ("s", False), ("", False),
])
def test_an_acronym_is_capitals_and_digits(word: str, is_one: bool) -> None:
    assert is_acronym(word) is is_one


def test_a_text_writes_its_acronyms_and_numbered_names() -> None:
    text = "The ESAs, ENISA and CSIRTs under NIS 2; US-Cloud-Anbieter; Annex III; L 333/1"
    assert acronyms(text) >= {"ESAs", "ENISA", "CSIRTs", "NIS", "NIS2", "US", "III"}
    assert "L" not in acronyms(text)


def test_names_no_document_writes_are_unknown() -> None:
    mentions = Mentions(["The ESAs and ENISA under NIS 2.", "ICT risk", "US-Tech-Titanen",
                         "KI-Projekte"], titles=["CRA"])
    assert mentions.unknown("What is the maximum fine under the GDPR?") == ["GDPR"]
    assert mentions.unknown("Was sieht die DSGVO vor, und die GDPR?") == ["DSGVO", "GDPR"]
    assert mentions.unknown("What does an Nvidia H100 GPU cost?") == ["H100", "GPU"]
    # Written by a document, a title's initials, plurals, the other language's form,
    # "NIS2" for "NIS 2", and Roman numerals are no unknown names.
    for known in ("Welche Meldepflichten gelten nach NIS2?", "Was regelt die CRA?",
                  "What does the ESA do?", "Was gilt für IKT-Risiken?", "What about AI?",
                  "What do Basel III and Annex IV say?", "Does it apply in the US?",
                  "Und im UK?"):
        assert mentions.unknown(known) == [], known


def test_acts_are_named_by_their_names_not_by_their_kind() -> None:
    assert act_names("What does the EU AI Act require? And the Digital Services Act?") == [
        "AI Act", "Digital Services Act"]
    assert act_names("Under the GNU General Public License and the NIS 2 Directive") == [
        "GNU General Public License", "NIS 2 Directive"]
    assert act_names("Welche Pflichten gelten nach der KI-Verordnung?") == ["KI-Verordnung"]
    # The kind of act, or a German compound that is as often a kind as a name.
    for none in ("This Regulation applies.", "What does the Regulation say?",
                 "Was regelt diese Verordnung?", "Was sagt die Durchführungsverordnung?",
                 "Gilt das Lieferkettengesetz?"):
        assert act_names(none) == [], none


def test_an_act_is_known_by_its_name_its_end_its_initials_and_in_english() -> None:
    mentions = Mentions(["Regulation (EU) 2024/1689 (Artificial Intelligence Act) applies.",
                         "Directive (EU) 2022/2555 (NIS 2 Directive)",
                         "licensed under the Mozilla Public License"])
    for known in ("AI Act", "Artificial Intelligence Act", "Intelligence Act",
                  "KI-Verordnung", "NIS-2-Richtlinie", "Mozilla Public License"):
        assert mentions.knows_act(known), known
    # Asked as a whole: another licence is not known by the end it shares.
    for unknown in ("GNU General Public License", "Digital Services Act", "Data Act"):
        assert not mentions.knows_act(unknown), unknown


@pytest.fixture(scope="module")
def dora(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> KnowledgeBase:
    text = DORA.read_text("utf-8")
    article = text[text.index("## Article 5:"):text.index("## Article 6:")]
    root = tmp_path_factory.mktemp("mentions")
    sources = root / "sources"
    sources.mkdir()
    (sources / "dora-article-5.md").write_text(
        "# Digital Operational Resilience Act (DORA)\n\n" + article, encoding="utf-8")
    kb = make_kb(root / "data", [sources], e5)
    kb.refresher.refresh()
    return kb


def test_a_question_about_a_thing_the_documents_never_name_is_refused_by_name(
        dora: KnowledgeBase) -> None:
    plain = "What must the management body of a financial entity do?"
    assert dora.retriever.search(plain).relevant
    assert dora.retriever.search("What does DORA require of the management body?").relevant
    foreign = "What must the management body of a financial entity do under the GDPR?"
    retrieval = dora.retriever.search(foreign)
    assert not retrieval.relevant and retrieval.unknown == ("GDPR",)
    answer = Answerer(dora.retriever).answer(Question(foreign))
    assert answer.text.startswith("I found no mention of GDPR in the documents, so I won't "
                                  "guess.")
    assert not answer.citations


def test_an_act_the_documents_never_name_is_refused_by_name(dora: KnowledgeBase) -> None:
    foreign = "What must the management body do under the Digital Services Act?"
    retrieval = dora.retriever.search(foreign)
    assert not retrieval.relevant and retrieval.unknown == ("Digital Services Act",)
    # The knowledge base's own act, by the words of its title, is no unknown name.
    own = "What must the management body do under the Digital Operational Resilience Act?"
    assert dora.retriever.search(own).relevant


def test_an_english_name_is_no_unknown_name_for_documents_in_german(
        essay_kb: KnowledgeBase) -> None:
    # German documents write the "Single European Act" as the "Einheitliche Europäische
    # Akte" (XQuAD): that they never write the English name says nothing.
    assert act_names("When was the Single European Act made?", english=False) == []
    assert essay_kb.retriever.search("When was the Single European Act made?").unknown == ()
    # A German act's name is known in English too, and so still checked.
    assert essay_kb.retriever.search(
        "Was regelt die DSA-Verordnung für Plattformen?").unknown == ("DSA-Verordnung",)
