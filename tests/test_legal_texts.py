"""Legal texts as they are printed rather than converted: German statutes ("§ 3 Title"
sections, "(1)", "(2)" paragraphs, "a)" points) as Markdown and as a printed PDF, and an
EU act as EUR-Lex prints it in HTML. Before, the section sign was body text, a statute's
last numbered paragraphs were taken for footnotes and dropped, and an act's recitals in
HTML or PDF were not known as recitals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from knowledge.passages.heading_lines import structural_heading
from knowledge.passages.headings import PATH_SEPARATOR
from knowledge.passages.normalizing import paragraphs
from knowledge.passages.splitting import document_blocks, parse_bytes
from knowledge.passages.structure import units_of
from knowledge.reading.lines import text_lines
from tests.conftest import make_kb
from tests.pdf_maker import text_pdf
from tests.statute import FINE, HEADER, TITLE, absaetze, statute_markdown, statute_pdf

DATA = Path(__file__).parent / "data"


def test_section_signs_and_unseparated_titles_are_headings() -> None:
    assert structural_heading("§ 3 Meldepflichten der Hersteller") == (
        "statute", "3", "Meldepflichten der Hersteller")
    assert structural_heading("§ 12a Übergangsvorschriften") == (
        "statute", "12a", "Übergangsvorschriften")
    assert structural_heading("Abschnitt 2 Pflichten der Wirtschaftsakteure") == (
        "abschnitt", "2", "Pflichten der Wirtschaftsakteure")
    assert structural_heading("Section 2 The Commission shall adopt") is None
    # A citation a line wrapped at, and sentences, are none.
    assert structural_heading("§ 3 Absatz 1 eine Meldung nicht oder") is None
    assert structural_heading("§ 3 gilt entsprechend") is None
    assert structural_heading("§ 3 Meldepflichten gelten auch für Einführer.") is None


@pytest.mark.parametrize("kind", ["md", "pdf"])
def test_every_paragraph_of_a_statute_is_kept_under_its_section(kind: str) -> None:
    data = statute_pdf() if kind == "pdf" else statute_markdown().encode("utf-8")
    title, blocks = parse_bytes(data, kind, "fallback")
    assert title == TITLE
    texts = [block.text for block in blocks]
    for absatz in absaetze():  # the last two end the document, as footnotes would
        assert sum(absatz in text for text in texts) == 1, absatz
    assert not any(HEADER in text or "Seite" in text for text in texts)
    sections = [block.section for block in blocks]
    assert sections[3] == PATH_SEPARATOR.join(
        ["Abschnitt 2: Pflichten der Wirtschaftsakteure",
         "§ 4: Meldepflichten der Hersteller", "(1)–(3)"])
    assert sections[-1].endswith(f"§ 8: Bußgeldvorschriften{PATH_SEPARATOR}(1)–(2)")
    assert texts[-1].endswith(FINE)


@pytest.fixture(scope="module")
def statute_kb(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("statute")
    sources = root / "sources"
    sources.mkdir()
    Path(sources / "gesetz-vernetzte-produkte.pdf").write_bytes(statute_pdf())
    kb = make_kb(root / "data", [sources], e5)
    kb.refresher.refresh()
    return kb


@pytest.mark.e2e
@pytest.mark.parametrize(("question", "section", "phrase"), [
    ("Wie hoch kann die Geldbuße sein?", "§ 8: Bußgeldvorschriften", "einer Million Euro"),
    ("Wie lange muss der Unterstützungszeitraum mindestens sein?",
     "§ 5: Unterstützungszeitraum", "mindestens fünf Jahre"),
    ("Wer ist die zuständige Marktüberwachungsbehörde?", "§ 7: Zuständige Behörde",
     "Bundesamt für Sicherheit"),
    # A definition in a German list ("1. „Hersteller“ jede ..., 2. ..."): its own clause.
    ("Was ist ein Händler?", "§ 2: Begriffsbestimmungen", "„Händler“ jede Person"),
    # English questions about the German statute.
    ("Who is the competent market surveillance authority?", "§ 7: Zuständige Behörde",
     "Bundesamt für Sicherheit"),
    ("What must distributors check before making a product available?",
     "§ 6: Pflichten der Händler", "CE-Kennzeichnung"),
    # A section asked for by its number (knowledge/search/references.py), in a printed PDF.
    ("Was regelt § 6?", "§ 6: Pflichten der Händler", "Händler prüfen vor der Bereitstellung"),
])
def test_questions_about_a_printed_statute_cite_its_section(
        statute_kb: KnowledgeBase, question: str, section: str, phrase: str) -> None:
    answer = Answerer(statute_kb.retriever).answer(Question(question))
    assert answer.grounded
    first = answer.citations[0]
    assert section in first.section, first.section
    assert phrase in first.quote, first.quote


@pytest.mark.e2e
def test_a_section_the_statute_does_not_have_is_no_answer(statute_kb: KnowledgeBase) -> None:
    answer = Answerer(statute_kb.retriever).answer(Question("Was steht in § 99?"))
    assert not answer.grounded
    assert answer.text.startswith("I found no § 99 in the documents"), answer.text


def test_numbered_paragraphs_alone_on_a_page_are_its_text() -> None:
    # The heading ends page 1; its paragraphs fill page 2, short as footnotes are.
    pages = [["Gesetz zur Probe", "Artikel 1 Zweck"],
             ["(1) Dieses Gesetz regelt die Probe.", "(2) Es gilt ab dem 1. Januar 2027."]]
    _, blocks = parse_bytes(text_pdf(pages), "pdf", "fallback")
    text = " ".join(block.text for block in blocks)
    assert "(1) Dieses Gesetz regelt die Probe." in text
    assert "(2) Es gilt ab dem 1. Januar 2027." in text


def test_german_points_lettered_a_bracket_are_points() -> None:
    # The German edition of an EU regulation: paragraphs "(1)", points "a)", "b)".
    text = "\n".join([
        "Artikel 14", "Meldepflichten der Hersteller",
        "(1) Ein Hersteller meldet jede aktiv ausgenutzte Schwachstelle gleichzeitig dem "
        "als Koordinator benannten CSIRT und der ENISA.",
        "(2) Für die Zwecke der Meldung nach Absatz 1 übermittelt der Hersteller:",
        "a) innerhalb von 24 Stunden, nachdem er Kenntnis erlangt hat, eine Frühwarnung;",
        "b) innerhalb von 72 Stunden eine Meldung über die Schwachstelle;",
        "c) spätestens 14 Tage nach Verfügbarkeit einer Korrekturmaßnahme einen "
        "Abschlussbericht.",
    ])
    _, units = units_of(paragraphs(text_lines(text)))
    assert [(unit.label, unit.text[:12]) for unit in units] == [
        ("(1)", "(1) Ein Hers"), ("(2)", "(2) Für die "), ("(2)(a)", "a) innerhalb"),
        ("(2)(b)", "b) innerhalb"), ("(2)(c)", "c) spätesten")]
    assert units[3].path == ("Artikel 14: Meldepflichten der Hersteller",)
    assert units[3].lead_in.endswith("übermittelt der Hersteller:")


def test_an_acts_html_as_eur_lex_prints_it() -> None:
    # Recitals and points as two-cell table rows, "Whereas:" as a line of text, note
    # references as links, the notes at the end.
    data = (DATA / "eurlex-style.html").read_bytes()
    _, blocks = parse_bytes(data, "html", "fallback")
    found = {block.section: block.text for block in blocks}
    recitals = found[f"Recitals{PATH_SEPARATOR}(1)–(2)"]
    assert recitals.startswith("(1) Cybersecurity is one of the key challenges")
    assert "digital elements, by ensuring" in recitals  # the note reference is gone
    article = found[f"Article 13: Obligations of manufacturers{PATH_SEPARATOR}1–2"]
    assert "shall: (a) undertake an assessment" in article
    assert article.endswith("design and development phases.")  # the note is dropped
    assert not any("OJ C 100" in text or "( 1 )" in text for text in found.values())


def test_a_statutes_html_as_gesetze_im_internet_prints_it() -> None:
    # Every paragraph of the law is a division ("jurAbsatz"), not a paragraph tag: read
    # paragraph tag by paragraph tag, the page kept its date of issue and nothing else.
    data = (DATA / "gesetze-style.html").read_bytes()
    title, blocks = parse_bytes(data, "html", "fallback")
    assert title == "BDSG - Bundesdatenschutzgesetz"
    found = {block.section: block.text for block in blocks}
    part = f"Teil 1: Gemeinsame Bestimmungen{PATH_SEPARATOR}"
    assert found[f"{part}§ 1: Anwendungsbereich des Gesetzes{PATH_SEPARATOR}(1)–(2)"].startswith(
        "(1) Dieses Gesetz gilt für die Verarbeitung personenbezogener Daten")
    assert "(2) Öffentliche Stellen der Länder" in found[
        f"{part}§ 2: Begriffsbestimmungen{PATH_SEPARATOR}(1)–(2)"]
    assert not any("Inhaltsverzeichnis" in text for text in found.values())


def test_whereas_opens_the_recitals_and_the_enacting_formula_closes_them() -> None:
    text = "\n\n".join([
        "Regulation on things", "Whereas:",
        "(1) Cybersecurity is one of the key challenges for the Union.",
        "(2) This Regulation sets the conditions for secure products.",
        "HAVE ADOPTED THIS REGULATION:", "Article 1", "Subject matter",
        "This Regulation lays down rules for products with digital elements."])
    _, blocks = document_blocks(text_lines(text))
    assert [block.section for block in blocks] == [
        f"Recitals{PATH_SEPARATOR}(1)–(2)", "Article 1: Subject matter"]
    assert "ADOPTED" not in " ".join(block.text for block in blocks)
