"""A real multi-page PDF of a regulation (reportlab, Official Journal furniture): its
passages come out clean, and questions about it are answered from the right passage."""

import re
from pathlib import Path

import pytest

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from knowledge.index.embedders import E5Embedder
from knowledge.passages.headings import PATH_SEPARATOR as SEP
from knowledge.passages.splitting import parse_bytes
from tests.conftest import SEEDS, make_kb
from tests.regulation_pdf import regulation_pdf

FURNITURE = re.compile(r"ELI:|OJ L, 20\.11\.2024|\b\d/\d\b|^EN\b| EN ")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return regulation_pdf()


def test_pdf_passages_are_clean_units_with_heading_paths(pdf: bytes) -> None:
    title, blocks = parse_bytes(pdf, "pdf", "fallback")
    assert title == "Cyber Resilience Act, Articles 14 to 17"
    assert len(blocks) > 20
    for block in blocks:
        assert not FURNITURE.search(block.text), block.text
        assert re.search(r"[.;:,]$|\b(?:or|and)$", block.text), block.text  # never mid-sentence
        assert block.section.startswith("Article 1"), block.section
        assert len(block.text.split()) <= 250
    sections = [b.section for b in blocks]
    assert f"Article 14: Reporting obligations of manufacturers{SEP}1" in sections
    assert f"Article 15: Voluntary reporting{SEP}1" in sections
    # Article 14(5) runs over the break between pages 1 and 2: one passage again.
    assert any("integrity or confidentiality of sensitive or important data or functions; or "
               "(b) it has led or is capable of leading" in b.text for b in blocks)


@pytest.mark.e2e
def test_questions_about_the_pdf_are_answered_from_the_right_passage(
        tmp_path: Path, pdf: bytes, e5: E5Embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "cra-articles-14-17.pdf").write_bytes(pdf)
    kb = make_kb(tmp_path / "data", [sources, SEEDS], e5)
    summary = kb.refresher.refresh()
    assert "cra-articles-14-17.pdf" in summary.added
    answerer = Answerer(kb.retriever)
    for question in ("Within how many hours must a manufacturer send an early warning about "
                     "an actively exploited vulnerability?",
                     "Innerhalb wie vieler Stunden muss ein Hersteller eine Frühwarnung zu "
                     "einer aktiv ausgenutzten Schwachstelle übermitteln?"):
        answer = answerer.answer(Question(question))
        assert answer.grounded, question
        assert any("early warning notification" in c.text and "24 hours" in c.text
                   for c in answer.citations[:3]), [c.text[:80] for c in answer.citations]
        assert answer.citations[0].section.startswith("Article 14")
    off_topic = answerer.answer(Question("How do I bake a cheesecake?"))
    assert not off_topic.grounded
