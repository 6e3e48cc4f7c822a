"""Ingestion is confined to the sources, one bad source never stops a refresh, and an
unreadable manifest stops it before anything changes."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from bot.answering.answers import Question
from bot.serving.assistant import Assistant
from knowledge.core.errors import RefreshFailed, SourceError
from knowledge.index.embedders import E5Embedder
from knowledge.passages.normalizing import paragraphs
from knowledge.passages.splitting import parse_bytes
from knowledge.reading.lines import page_lines
from knowledge.reading.pdf_text import page_text, pdf_pages
from knowledge.sources.discovery import IN_DATA_DIR, OUTSIDE, discover
from tests.conftest import make_kb
from tests.pdf_maker import bomb_pdf, text_pdf

TOKEN = "xoxb-1234567890-secret-bot-token"
NOTE = "# Cloud note\n\nCloud costs rise every year, the finance team says.\n"


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A host with secrets beside and inside the sources folder, and a data dir."""
    (tmp_path / ".env").write_text(f"POLICYBOT_SLACK_BOT_TOKEN={TOKEN}\n", "utf-8")
    (tmp_path / "secrets.md").write_text(f"# Secrets\n\nThe slack bot token is {TOKEN}.\n",
                                         "utf-8")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "note.md").write_text(NOTE, "utf-8")
    (sources / ".env.md").write_text(f"# Local\n\nThe slack bot token is {TOKEN}.\n", "utf-8")
    (sources / "linked.md").symlink_to(tmp_path / "secrets.md")
    (tmp_path / "data" / "matrix").mkdir(parents=True)
    (tmp_path / "data" / "matrix" / "session.md").write_text(
        f"# Session\n\nThe access token is {TOKEN}.\n", "utf-8")
    return tmp_path


def test_paths_outside_the_sources_folder_are_refused_by_name(host: Path) -> None:
    sources = host / "sources"
    (sources / "sources.toml").write_text(
        '[[source]]\nfile = "../.env"\n\n[[source]]\nfile = "/etc/passwd"\n\n'
        f'[[source]]\nfile = "{host / "data" / "matrix" / "session.md"}"\n', "utf-8")
    specs, problems = discover([sources, host / "data"], data_dir=host / "data")
    assert [s.key for s in specs] == ["note.md"]  # not .env.md, not the symlink
    assert ("../.env", OUTSIDE) in problems and ("/etc/passwd", OUTSIDE) in problems
    assert ("linked.md", OUTSIDE) in problems
    assert (str(host / "data"), IN_DATA_DIR) in problems


def test_a_dotfile_named_in_the_manifest_is_read(host: Path) -> None:
    sources = host / "sources"
    (sources / "sources.toml").write_text('[[source]]\nfile = ".env.md"\n', "utf-8")
    specs, _ = discover([sources], data_dir=host / "data")
    assert [s.key for s in specs] == [".env.md", "note.md"]


def test_the_bot_never_quotes_a_configured_secret(host: Path, e5: E5Embedder) -> None:
    # The admin indexed a file holding the token itself (named, so it is read): the
    # reply must still not carry it, extractive answer and citations included.
    sources = host / "sources"
    (sources / "sources.toml").write_text('[[source]]\nfile = ".env.md"\n', "utf-8")
    kb = make_kb(host / "data", [sources], e5)
    kb.refresher.refresh()
    assistant = Assistant(kb, secrets=[TOKEN])
    answer = assistant.ask(Question("What is the slack bot token?"))
    assert answer.citations, "the question should have found the passage"
    shown = str(answer.to_json())
    assert TOKEN not in shown and "[redacted]" in shown
    for reply in (assistant.compare("the slack bot token"),
                  assistant.check("The slack bot token is secret.")):
        assert TOKEN not in reply.text and "[redacted]" in reply.text


def test_an_unreadable_manifest_stops_the_refresh_and_changes_nothing(
        host: Path, e5: E5Embedder) -> None:
    sources = host / "sources"
    (sources / "sources.toml").write_text('[[source]]\nfile = "note.md"\ntitle = "Kept"\n',
                                          "utf-8")
    kb = make_kb(host / "data", [sources], e5)
    kb.refresher.refresh()
    before = kb.state_file.path.read_bytes()
    (sources / "sources.toml").write_text('[[source]\nfile = "note.md"\n', "utf-8")
    with pytest.raises(RefreshFailed, match=r"sources\.toml: .*line 1"):
        kb.refresher.refresh()
    assert kb.state_file.path.read_bytes() == before
    assert kb.state_file.current().documents["note.md"].title == "Kept"


def test_bad_pdfs_are_named_failures_and_the_rest_goes_on(tmp_path: Path,
                                                           e5: E5Embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "note.md").write_text(NOTE, "utf-8")
    (sources / "bomb.pdf").write_bytes(bomb_pdf())
    good = text_pdf([["Article 1", "Manufacturers shall report vulnerabilities."]])
    (sources / "mangled.pdf").write_bytes(good[:len(good) // 3])  # cut off
    kb = make_kb(tmp_path / "data", [sources], e5)
    summary = kb.refresher.refresh()
    assert summary.added == ["note.md"]
    failed = dict(summary.failed)
    assert set(failed) == {"bomb.pdf", "mangled.pdf"}
    assert all(reason.startswith("not a readable PDF") or "no extractable text" in reason
               for reason in failed.values()), failed
    (sources / "note.md").write_text(NOTE + "\nAnd energy prices too.\n", "utf-8")
    assert kb.refresher.refresh().changed == ["note.md"]  # later refreshes still run


def test_fuzzed_sources_never_raise_anything_but_a_named_failure() -> None:
    rng = random.Random(12)
    seeds = {"pdf": text_pdf([["Article 1", "Text (a) and (b)."], ["Article 2", "More."]]),
             "html": b"<html><head><title>T</title></head><body><h1>A</h1><p>x</p></body>",
             "md": b"# Title\n\n## Article 1\n\n1. Point one;\n2. point two.\n"}
    surprises = []
    for kind, seed in seeds.items():
        for _ in range(150):
            data = bytearray(seed)
            for _ in range(rng.randint(1, 12)):
                position = rng.randrange(len(data))
                data[position] = rng.randrange(256)
            try:
                parse_bytes(bytes(data), kind, "fuzz")
            except Exception as error:
                if type(error).__name__ != "SourceError":
                    surprises.append(f"{kind}: {type(error).__name__}: {error}")
    assert surprises == []


def test_a_symlinked_folder_outside_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# S\n\ntoken\n", "utf-8")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "elsewhere").symlink_to(outside)
    specs, problems = discover([sources])
    assert specs == [] and all(why == OUTSIDE for _, why in problems)


def test_a_pdf_inflating_past_its_readers_bound_is_a_named_failure() -> None:
    # 400 MB of zeros in a 0.4 MB file. PDFium reads in a worker process whose memory is
    # bounded: the worker stops, this process goes on, and the source is named.
    bomb = bomb_pdf(400)
    with pytest.raises(SourceError, match=r"not a readable PDF \(its reader stopped .* over "
                                          r"300 MB"):
        pdf_pages(bomb, max_memory_mb=300)
    # The same reader, under the same bound, reads an ordinary PDF.
    good = text_pdf([["Article 1", "Manufacturers shall report vulnerabilities."]])
    assert "Manufacturers shall report" in pdf_pages(good, max_memory_mb=300)[1][0]


def test_a_word_pdfium_joined_at_a_hyphenation_point_is_written_as_the_document_writes_it(
        ) -> None:
    # PDFium gives "wan\ufffedern" where "wan-" ended a line and "dern" began the next.
    page = page_text("Sie sollten überwachen, ob Ihre Pakete nach Testing wan\ufffedern, und\r\n"
                     "Debian\ufffeMaschinen pflegen. Pakete wandern; Debian-Maschinen laufen.")
    assert "\ufffe" not in page
    text = " ".join(p.text for p in paragraphs(page_lines([page])))
    assert "Testing wandern, und Debian-Maschinen pflegen." in text


def test_a_page_nesting_divisions_deeper_than_the_stack_is_read() -> None:
    # Read without recursion: a reader that recursed into each division would hit
    # Python's recursion limit long before this depth.
    page = "<html><body>" + "<div>" * 20_000 + "<p>Deep text is kept.</p>" + \
        "</div>" * 20_000 + "</body></html>"
    _, blocks = parse_bytes(page.encode(), "html", "fallback")
    assert [b.text for b in blocks] == ["Deep text is kept."]


def test_a_page_of_many_links_and_buttons_is_read_in_linear_time() -> None:
    # Taking each button out of its paragraph, looking up to the root for each link's list
    # item, and scanning up from each run of dropped lines for a footnote were quadratic
    # (32,000 buttons took 129 s, 32,000 nested links 295 s; 12,000 of this page 15 s).
    # A ratio in one run, not a time: four times the page must not take sixteen times as
    # long.
    def page(n: int) -> bytes:
        return ("<html><body><p>" + " ".join(
            f"<button>b</button> w <a href='#n{i}'>{i % 900}</a>" for i in range(n))
            + "</p>" + "<div><a href='#x'>1</a>" * n + "</div>" * n
            + "</body></html>").encode()

    def seconds(n: int) -> float:
        started = time.perf_counter()
        parse_bytes(page(n), "html", "fallback")
        return time.perf_counter() - started

    seconds(500)  # warm
    assert seconds(12_000) < 10 * seconds(3_000)
