"""Word documents (.docx): made with python-docx here, read as a policy team's sources."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from knowledge.core.errors import SourceError
from knowledge.index.embedders import E5Embedder
from knowledge.passages.headings import PATH_SEPARATOR
from knowledge.passages.splitting import parse_bytes
from knowledge.reading.word_files import MAX_UNPACKED_BYTES, MAX_XML_BYTES
from tests.conftest import make_kb


def briefing() -> bytes:
    document = Document()
    document.core_properties.title = "Briefing: compute for European AI"
    document.add_heading("Briefing: compute for European AI", level=0)  # the "Title" style
    document.add_paragraph("This briefing summarises the team's position for the "
                           "ministry's consultation on AI infrastructure.")
    document.add_heading("Findings", level=1)
    document.add_heading("Cloud dependency", level=2)
    document.add_paragraph("European AI startups rent most of their GPU capacity from "
                           "three US cloud providers; switching costs keep them there.")
    table = document.add_table(rows=2, cols=2)
    for row, (mark, text) in zip(table.rows, [
            ("(a)", "public compute centres should offer capacity at cost;"),
            ("(b)", "procurement should favour providers that allow switching.")],
            strict=True):
        row.cells[0].text, row.cells[1].text = mark, text
    document.add_heading("Recommendation", level=1)
    document.add_paragraph("The team recommends a coordinated European investment of "
                           "EUR 4 billion in public High-Performance-Computing centres.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_files_headings_paragraphs_and_table_rows_are_read() -> None:
    title, blocks = parse_bytes(briefing(), "docx", "fallback")
    assert title == "Briefing: compute for European AI"
    sections = {block.section: block.text for block in blocks}
    cloud = sections[f"Findings{PATH_SEPARATOR}Cloud dependency"]
    assert cloud.startswith("European AI startups rent most of their GPU capacity")
    # A table row is one line: the point's letter stays with its text.
    assert "(a) public compute centres should offer capacity at cost;" in cloud
    assert sections["Recommendation"].endswith("public High-Performance-Computing centres.")


def test_a_damaged_word_file_is_refused_in_one_short_line() -> None:
    with pytest.raises(SourceError, match="not a readable Word file"):
        parse_bytes(b"PK\x03\x04 not really a zip", "docx", "x")
    with pytest.raises(SourceError, match="not a readable Word file"):
        parse_bytes(b"", "docx", "x")


def test_a_word_file_that_unpacks_to_too_much_is_refused_before_it_is_read() -> None:
    # 200 MB of zeros compress to some 200 kB: refused by the sizes the zip declares.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/media/padding.bin", "w") as padding:
            chunk = b"\0" * 1_000_000
            for _ in range(MAX_UNPACKED_BYTES // len(chunk) + 1):
                padding.write(chunk)
    with pytest.raises(SourceError, match="unpacks to"):
        parse_bytes(out.getvalue(), "docx", "x")


def test_a_word_file_with_too_much_text_to_parse_is_refused() -> None:
    out = io.BytesIO()
    with (zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive,
          archive.open("word/document.xml", "w") as body):
        for _ in range(MAX_XML_BYTES // 1_000_000 + 1):
            body.write(b"<w:p/>" * 166_667)
    with pytest.raises(SourceError, match="MB of text"):
        parse_bytes(out.getvalue(), "docx", "x")


@pytest.mark.e2e
def test_a_question_is_answered_from_a_word_file(tmp_path: Path, e5: E5Embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "briefing.docx").write_bytes(briefing())
    kb = make_kb(tmp_path / "data", [sources], e5)
    assert kb.refresher.refresh().added == ["briefing.docx"]
    answer = Answerer(kb.retriever).answer(
        Question("How much should Europe invest in public computing centres?"))
    assert answer.grounded
    first = answer.citations[0]
    assert first.source == "briefing.docx" and first.section == "Recommendation"
    assert "EUR 4 billion" in first.quote
