"""Provisions asked for by number ("What does Article 14(2) require?", "Was regelt Anhang I
Teil II?", "recital 2"): answered with that provision's passages, found by the heading
path each passage keeps; a provision the act does not have is no answer."""

from __future__ import annotations

import pytest

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from bot.answering.memory import Turn
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from knowledge.passages.headings import PATH_SEPARATOR
from knowledge.passages.splitting import document_blocks
from knowledge.reading.lines import markdown_lines
from knowledge.search.naming import Titles
from knowledge.search.references import (
    ANNEX,
    ARTICLE,
    CHAPTER,
    PARAGRAPH,
    RECITAL,
    STATUTE,
    Place,
    Provisions,
    Reference,
    in_context,
    place_of,
    references_in,
    unit_of,
)
from tests.conftest import make_kb
from tests.regulation_pdf import CRA, DORA


@pytest.mark.parametrize(("question", "name"), [
    ("Art. 13 Abs. 8 lit. a", "Article 13(8)(a)"),
    ("Erwägungsgrund 60", "recital 60"),
    ("Anhang I Teil II", "Annex I, Part II"),
    ("§ 3 Abs. 2", "§ 3(2)"),
    ("Kapitel IV", "Chapter IV"),
])
def test_a_provision_is_named_as_a_reader_writes_it(question: str, name: str) -> None:
    assert [reference.name for reference in references_in(question)] == [name]


@pytest.mark.parametrize(("question", "expected"), [
    ("What does Article 14 of the CRA say?", [Reference(ARTICLE, "14")]),
    ("What does Article 13(8) require?", [Reference(ARTICLE, "13", 8)]),
    ("Is Article 5(1)(c) still in force?", [Reference(ARTICLE, "5", 1, "c")]),
    ("Article 3, paragraph 2, point (b)", [Reference(ARTICLE, "3", 2, "b")]),
    ("Was verlangt Art. 13 Abs. 8 des Gesetzes?", [Reference(ARTICLE, "13", 8)]),
    ("Fasse Artikel 19 Absatz 1 zusammen.", [Reference(ARTICLE, "19", 1)]),
    ("Was gilt nach § 3 Abs. 2?", [Reference(STATUTE, "3", 2)]),
    ("What does recital 60 say?", [Reference(RECITAL, "60")]),
    ("Was steht in Erwägungsgrund (60)?", [Reference(RECITAL, "60")]),
    ("What does Part II of Annex I cover?", [Reference(ANNEX, "I", part="II")]),
    ("Was regelt Anhang I Teil II?", [Reference(ANNEX, "I", part="II")]),
    ("Compare Article 14 and Article 16.", [Reference(ARTICLE, "14"), Reference(ARTICLE, "16")]),
    ("How do Articles 14 and 15 differ?", [Reference(ARTICLE, "14"), Reference(ARTICLE, "15")]),
    ("Article 14(2) and (3)", [Reference(ARTICLE, "14", 2), Reference(ARTICLE, "14", 3)]),
    ("Article 14(2) and (3a)", [Reference(ARTICLE, "14", 2)]),
    ("What does paragraph 3 of Article 14 say?", [Reference(ARTICLE, "14", 3)]),
    ("Und Absatz 3?", [Reference(PARAGRAPH, "", 3)]),
    # Paragraphs listed after the word: each is looked up, not the whole article.
    ("Was regeln Artikel 6 Absätze 2 und 3?", [Reference(ARTICLE, "6", 2),
                                               Reference(ARTICLE, "6", 3)]),
    ("Article 6, paragraphs 1, 2 and 4", [Reference(ARTICLE, "6", 1), Reference(ARTICLE, "6", 2),
                                          Reference(ARTICLE, "6", 4)]),
    ("Art. 6 Abs. 2 und 3", [Reference(ARTICLE, "6", 2), Reference(ARTICLE, "6", 3)]),
    ("What do paragraphs 2 and 3 of Article 6 say?", [Reference(ARTICLE, "6", 2),
                                                      Reference(ARTICLE, "6", 3)]),
    ("§ 3 Absätze 1 und 2", [Reference(STATUTE, "3", 1), Reference(STATUTE, "3", 2)]),
    ("Und Absätze 2 und 3?", [Reference(PARAGRAPH, "", 2), Reference(PARAGRAPH, "", 3)]),
    # Definitions as cited: "Artikel 3 Nummer 61", "Article 3, point (61)".
    ("Was regelt Artikel 3 Nummer 61?", [Reference(ARTICLE, "3", 61)]),
    ("Art. 3 Nr. 12 der DORA", [Reference(ARTICLE, "3", 12)]),
    ("What does Article 3, point (12), define?", [Reference(ARTICLE, "3", 12)]),
    # A number after "and" that is not a paragraph's stays out.
    ("Article 6 paragraph 2 and Article 7", [Reference(ARTICLE, "6", 2), Reference(ARTICLE, "7")]),
    ("Erwägungsgründe 58, 59 und 60", [Reference(RECITAL, "58"), Reference(RECITAL, "59"),
                                       Reference(RECITAL, "60")]),
    ("What does Chapter III of DORA cover?", [Reference(CHAPTER, "III")]),
    ("Was regelt Kapitel 2?", [Reference(CHAPTER, "2")]),
    ("What must manufacturers report?", []),
    # Roman numerals only as printed: "civil" is letters of them, not a part.
    ("The civil part of the annex", []),
])
def test_questions_name_provisions_as_the_law_is_cited(
        question: str, expected: list[Reference]) -> None:
    assert references_in(question) == expected


def test_a_paragraph_asked_for_alone_is_of_the_article_asked_about_last() -> None:
    asked = references_in("And paragraph 3?")
    thread = ["What does Article 13 say?", "What do Articles 14 and 15 require?"]
    assert in_context(asked, thread) == [Reference(ARTICLE, "15", 3)]
    assert in_context(asked, ["What must manufacturers report?"]) == []
    assert in_context(references_in("And Article 16?"), thread) == [Reference(ARTICLE, "16")]


@pytest.mark.parametrize(("section", "place"), [
    ("Chapter II › Article 14: Reporting obligations › 1–2",
     Place(ARTICLE, "14", "", 1, 2, chapter="II")),
    ("Chapter I › Article 2: Scope › … apply where: › 5(b)",
     Place(ARTICLE, "2", "", 5, 5, "b", "I")),
    ("Recitals › (83)–(84)", Place(RECITAL, "", "", 83, 84)),
    ("Annex I: Essential requirements › Part II: Vulnerabilities › (4)–(5)",
     Place(ANNEX, "I", "II", 0, 0)),
    ("Abschnitt 2 › § 8: Bußgeldvorschriften › (1)–(2)", Place(STATUTE, "8", "", 1, 2)),
    ("Chapter I › Article 3: Definitions", Place(ARTICLE, "3", chapter="I")),
    ("Kapitel 2: Pflichten", Place(chapter="2")),
    ("Wer gewinnt wirklich?", Place()),
])
def test_a_passage_stands_where_its_heading_path_says(section: str, place: Place) -> None:
    assert place_of(section) == place


def _provisions() -> Provisions:
    article = "Chapter II › Article 14: Reporting"
    return Provisions([
        ("cra-3", "cra.md", f"{article} › 2", 3),
        ("cra-1", "cra.md", f"{article} › 1", 1),
        ("cra-4", "cra.md", f"{article} › 3–4", 4),
        ("cra-9", "cra.md", "Recitals › (59)–(60)", 0),
        ("dora-1", "dora.md", "Chapter II › Article 14: Communication › 1", 1),
        ("cra-a", "cra.md", "Annex I: Requirements › Part II: Vulnerabilities › (1)", 9),
    ])


@pytest.mark.parametrize(("section", "number", "unit"), [
    ("Article 3: Definitions › (11)–(12)", 12, "‘b' means y;"),
    ("Article 3: Definitions › (11)–(12)", 11, "‘a' means x;"),
    # As many units as the path numbers, or none: a guess would quote the wrong one.
    ("Article 3: Definitions › (11)–(13)", 12, ""),
    ("Article 3: Definitions › (11)", 11, ""),
    ("Article 3: Definitions › (11)–(12)", 13, ""),
])
def test_a_unit_of_a_run_is_found_by_the_numbers_in_the_heading_path(
        section: str, number: int, unit: str) -> None:
    text = "The following definitions apply: ‘a' means x; ‘b' means y;"
    assert unit_of(text, section, number) == unit


def test_a_provision_is_its_passages_in_document_order_narrowed_to_the_paragraph() -> None:
    provisions = _provisions()
    ids = [c.passage_id for c in provisions.cited(Reference(ARTICLE, "14"), frozenset())]
    assert ids == ["cra-1", "cra-3", "cra-4", "dora-1"]
    in_cra = provisions.cited(Reference(ARTICLE, "14"), frozenset({"cra.md"}))
    assert [c.passage_id for c in in_cra] == ["cra-1", "cra-3", "cra-4"]
    assert not any(c.exact for c in in_cra)
    first_two = provisions.cited(Reference(ARTICLE, "14"), frozenset(), per_source=2)
    assert [c.passage_id for c in first_two] == ["cra-1", "cra-3", "dora-1"]
    fourth = provisions.cited(Reference(ARTICLE, "14", 4), frozenset({"cra.md"}))
    assert [(c.passage_id, c.exact) for c in fourth] == [("cra-4", True)]
    # A paragraph the article does not number: the whole article, as the best there is.
    ninth = provisions.cited(Reference(ARTICLE, "14", 9), frozenset({"cra.md"}))
    assert [c.passage_id for c in ninth] == ["cra-1", "cra-3", "cra-4"]
    assert [c.passage_id for c in provisions.cited(Reference(RECITAL, "60"), frozenset())] \
        == ["cra-9"]
    assert [c.passage_id for c in provisions.cited(Reference(ANNEX, "I", part="II"),
                                                   frozenset())] == ["cra-a"]
    assert provisions.cited(Reference(ANNEX, "I", part="III"), frozenset()) == []
    assert [c.passage_id for c in provisions.cited(Reference(CHAPTER, "II"),
                                                   frozenset({"dora.md"}))] == ["dora-1"]
    assert provisions.kinds == {"cra.md": {ARTICLE, RECITAL, ANNEX, CHAPTER},
                                "dora.md": {ARTICLE, CHAPTER}}


def test_an_annex_part_stands_under_its_annex() -> None:
    text = ("# Act\n\n## Article 1: Subject matter\n\nThis Regulation lays down rules.\n\n"
            "## ANNEX I: ESSENTIAL REQUIREMENTS\n\nPart I Requirements for products\n\n"
            "Products shall be secure.\n\nPart II Vulnerability handling requirements\n\n"
            "Manufacturers shall document vulnerabilities.\n")
    _, blocks = document_blocks(markdown_lines(text))
    sections = {block.text: block.section for block in blocks}
    assert sections["Manufacturers shall document vulnerabilities."] == PATH_SEPARATOR.join(
        ["Annex I: Essential requirements", "Part II: Vulnerability handling requirements"])


def test_acts_are_named_by_initials_and_number() -> None:
    titles = Titles({"cra.md": "Cyber Resilience Act (Regulation 2024/2847)",
                     "up.md": "REGULATION (EU) 2024/1689 OF THE EUROPEAN PARLIAMENT AND OF "
                              "THE COUNCIL amending Regulation (EU) 2018/858"})
    assert titles.named_in("What does Article 13 of the CRA require?").specific == {"cra.md"}
    assert titles.named_in("Artikel 6 der Verordnung (EU) 2024/2847").specific == {"cra.md"}
    assert titles.named_in("What does Regulation 2024/1689 say?").specific == {"up.md"}
    # The all-capitals title gives no initials ("OTC" from "OF THE COUNCIL").
    assert titles.named_in("What is the OTC market?").specific == set()
    # An act the knowledge base does not hold, amended ones included.
    assert titles.named_in("Article 14 of Directive (EU) 2022/2555").foreign
    assert titles.named_in("Article 5 of Regulation 2018/858").foreign
    assert not titles.named_in("Article 5 of the CRA").foreign


def cra_excerpt() -> str:
    """Recitals 1-3 with their footnotes, the first eight definitions of Article 3,
    Articles 14 and 15 and Annex I of the CRA, as converted."""
    text = CRA.read_text("utf-8")
    recitals = text[text.index("## Whereas Clauses"):text.index("### (4)")]
    definitions = text[text.index("## Article 3:"):]
    definitions = definitions[:definitions.index("### (9)")]
    articles = text[text.index("## Article 14:"):text.index("## Article 16:")]
    annex = text[text.index("## ANNEX I:"):text.index("## ANNEX II:")]
    return (f"# Cyber Resilience Act (excerpt)\n\n{recitals}\n{definitions}\n{articles}\n"
            f"{annex}")


@pytest.fixture(scope="module")
def provisions_kb(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("references")
    sources = root / "sources"
    sources.mkdir()
    (sources / "cra-excerpt.md").write_text(cra_excerpt(), "utf-8")
    dora = DORA.read_text("utf-8")
    (sources / "dora-excerpt.md").write_text(
        "# Digital Operational Resilience Act (excerpt)\n\n"
        + dora[dora.index("## Article 14:"):dora.index("## Article 15:")], "utf-8")
    kb = make_kb(root / "data", [sources], e5)
    kb.refresher.refresh()
    return kb


@pytest.mark.e2e
@pytest.mark.parametrize(("question", "section", "phrase"), [
    ("What does Article 14 of the CRA say?",
     "Article 14: Reporting obligations of manufacturers › 1",
     "shall notify any actively exploited vulnerability"),
    ("What does Article 14 of DORA say?", "Article 14: Communication › 1",
     "communication plans enabling a responsible disclosure"),
    # Paragraph 3 shares a passage with paragraph 2: quoted from its own opening.
    ("What does Article 14(3) of DORA say?", "Article 14: Communication › 2–3",
     "3. At least one person in the financial entity"),
    ("What does Article 14(2) of the CRA require?",
     "Article 14: Reporting obligations of manufacturers › 2",
     "early warning notification"),
    ("Was regelt Art. 15 Abs. 1?", "Article 15: Voluntary reporting › 1",
     "on a voluntary basis"),
    ("What does recital 2 say?", "Recitals › (2)", "boundary conditions"),

    ("Was regelt Anhang I Teil II?",
     "Annex I: Essential cybersecurity requirements › Part II: Vulnerability handling",
     "identify and document vulnerabilities"),
])
def test_a_provision_asked_for_by_number_is_cited_first(
        provisions_kb: KnowledgeBase, question: str, section: str, phrase: str) -> None:
    answer = Answerer(provisions_kb.retriever).answer(Question(question))
    assert answer.grounded, answer.text
    first = answer.citations[0]
    assert section in first.section, first.section
    assert phrase in first.quote, first.quote
    assert all(section.split(" › ", maxsplit=1)[0] in c.section for c in answer.citations)


@pytest.mark.e2e
@pytest.mark.parametrize(("question", "definition"), [
    ("What does Article 3(5) of the CRA say?",
     "‘hardware' means a physical electronic information system"),
    ("Was regelt Artikel 3 Absatz 8?", "‘logical connection' means a virtual representation"),
    ("What does Article 3(1) say?", "‘product with digital elements' means"),
])
def test_a_definition_is_quoted_alone_where_short_ones_share_a_passage(
        provisions_kb: KnowledgeBase, question: str, definition: str) -> None:
    """Definitions (1) to (8) share one passage, their numbers only in its heading path
    ("Article 3: Definitions › (1)–(8)"): the one asked for is the quote."""
    answer = Answerer(provisions_kb.retriever).answer(Question(question))
    first = answer.citations[0]
    assert first.section.endswith("Article 3: Definitions › (1)–(8)"), first.section
    assert first.quote.startswith(definition), first.quote
    assert first.quote.count(" means ") == 1, first.quote


@pytest.mark.e2e
def test_an_article_of_every_act_the_question_fits_is_cited(
        provisions_kb: KnowledgeBase) -> None:
    answer = Answerer(provisions_kb.retriever).answer(
        Question("Was regelt Artikel 14 der Verordnung?"))
    opening = {(c.source, c.section.split(" › ")[-1]) for c in answer.citations}
    assert {("cra-excerpt.md", "1"), ("dora-excerpt.md", "1")} <= opening, opening


@pytest.mark.e2e
def test_a_follow_up_asks_for_a_provision_of_the_act_the_thread_named(
        provisions_kb: KnowledgeBase) -> None:
    answerer = Answerer(provisions_kb.retriever)
    first = answerer.answer(Question("What does Article 14 of DORA say?"))
    alone = answerer.answer(Question("And Article 14(2)?"))
    assert {c.source for c in alone.citations} == {"cra-excerpt.md", "dora-excerpt.md"}
    follow_up = answerer.answer(Question("And Article 14(2)?"),
                                history=[Turn(first.question, first.text)])
    assert [(c.source, c.section.split(" › ")[-1]) for c in follow_up.citations] == [
        ("dora-excerpt.md", "2–3")]  # a short paragraph, merged with the next
    paragraph = answerer.answer(Question("Und Absatz 1?"),
                                history=[Turn(first.question, first.text)])
    assert [(c.source, c.section.split(" › ")[-1]) for c in paragraph.citations] == [
        ("dora-excerpt.md", "1")]


@pytest.mark.e2e
@pytest.mark.parametrize("question", ["What does Article 99 say?",
                                      "Was steht in Erwägungsgrund 40?"])
def test_a_provision_the_act_does_not_have_is_no_answer(
        provisions_kb: KnowledgeBase, question: str) -> None:
    answer = Answerer(provisions_kb.retriever).answer(Question(question))
    assert not answer.grounded
    assert answer.text.startswith(
        f"I found no {references_in(question)[0].name} in the documents"), answer.text
