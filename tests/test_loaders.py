from pathlib import Path

import httpx
import pytest

from knowledge.core.errors import SourceError
from knowledge.index.refresh import read_document
from knowledge.passages.splitting import parse_bytes
from knowledge.reading.html_text import html_lines
from knowledge.sources.discovery import SourceSpec, discover
from knowledge.sources.loaders import load
from knowledge.sources.url_cache import UrlCache
from tests.conftest import SEEDS
from tests.pdf_maker import text_pdf

OFFLINE = UrlCache(Path("/nonexistent"), 0, None)


def test_seed_manifest_lists_the_essay_and_three_urls() -> None:
    specs, problems = discover([SEEDS])
    assert problems == []
    files = [s for s in specs if not s.is_remote]
    urls = [s for s in specs if s.is_remote]
    assert [s.key for s in files] == ["mythos-europaeische-ki-souveraenitaet.txt"]
    assert files[0].language == "de"
    assert len(urls) == 3
    assert {s.url.split("/")[2] for s in urls} >= {"www.reuters.com", "de.wikipedia.org"}


def test_unlisted_files_are_found_with_relative_keys(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "note.md").write_text("# Note\n\nText.", encoding="utf-8")
    (tmp_path / "ignored.bin").write_bytes(b"\x00")
    specs, _ = discover([tmp_path])
    assert [s.key for s in specs] == ["sub/note.md"]


def test_missing_location_is_a_problem(tmp_path: Path) -> None:
    _, problems = discover([tmp_path / "nope"])
    assert problems == [(str(tmp_path / "nope"), "no such file or folder")]


def test_html_keeps_headings_as_sections() -> None:
    html = """<html><head><title>Chips</title><script>x()</script></head><body>
    <nav>Menu</nav><main><h1>Halbleiter</h1><p>Erster <b>Absatz</b>.</p>
    <h2>Markt</h2><p>Zweiter Absatz.</p><ul><li>Punkt <p>innen</p></li></ul></main></body></html>"""
    title, _ = html_lines(html)
    assert title == "Chips"
    _, blocks = parse_bytes(html.encode(), "html", "fallback")
    # Headings make the path; tiny paragraphs under one heading make one passage.
    assert [(b.section, b.text) for b in blocks] == [
        ("Halbleiter", "Erster Absatz."),
        ("Halbleiter › Markt", "Zweiter Absatz. Punkt innen"),
    ]


def test_pdf_text_paragraphs_and_pages() -> None:
    pdf = text_pdf([
        ["Europe needs its own compute centres for AI,", "built and run in Europe.",
         "", "Cloud costs decide who wins."],
        ["Second page text."],
    ], title="Compute report")
    title, blocks = parse_bytes(pdf, "pdf", "fallback")
    assert title == "Compute report"
    # A sentence over a page break is whole again; tiny paragraphs share one passage.
    assert [b.text for b in blocks] == [
        "Europe needs its own compute centres for AI, built and run in Europe. "
        "Cloud costs decide who wins. Second page text."]


def test_corrupt_pdf_raises_a_short_source_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(SourceError, match="PDF"):
        load(SourceSpec(key="broken.pdf", path=path, url=""), OFFLINE)


def _fetcher_serving(body: bytes) -> object:
    def fetch(url: str) -> tuple[bytes, str]:
        return body, "text/html"
    return fetch


def _failing_fetcher(url: str) -> tuple[bytes, str]:
    raise httpx.ConnectError("no route", request=httpx.Request("GET", url))


def test_url_sources_are_cached_and_the_copy_kept_when_unreachable(tmp_path: Path) -> None:
    url = "https://example.org/report.html"
    page = b"<html><title>Report</title><body><p>Hello report.</p></body></html>"
    fresh = UrlCache(tmp_path, max_age_seconds=0, fetcher=_fetcher_serving(page))  # type: ignore[arg-type]
    spec = SourceSpec(key=url, path=None, url=url, title="")
    first = read_document(spec, fresh)
    assert first.document.title == "Report" and first.note == ""
    down = UrlCache(tmp_path, max_age_seconds=0, fetcher=_failing_fetcher)
    again = read_document(spec, down)
    assert again.document.version == first.document.version
    assert again.note.startswith("unreachable (ConnectError), kept the copy fetched on")


def test_unreachable_url_without_cache_fails_by_name(tmp_path: Path) -> None:
    down = UrlCache(tmp_path, max_age_seconds=0, fetcher=_failing_fetcher)
    spec = SourceSpec(key="https://x.invalid/", path=None, url="https://x.invalid/")
    with pytest.raises(SourceError, match=r"unreachable.*no cached copy"):
        load(spec, down)


def test_fresh_cache_is_used_without_fetching(tmp_path: Path) -> None:
    url = "https://example.org/a.txt"
    UrlCache(tmp_path, 3600, _fetcher_serving(b"Title\n\nBody text.")).get(url)  # type: ignore[arg-type]
    body, _, note = UrlCache(tmp_path, 3600, _failing_fetcher).get(url)
    assert body == b"Title\n\nBody text." and note == ""


def line_texts(page: str) -> list[str]:
    return [line.text for line in html_lines(page)[1] if line.text]


def test_html_table_rows_are_lines_and_layout_cells_are_read_by_paragraph() -> None:
    page = ("<html><body><table><tr><td><p>Main column about compute.</p>"
            "<p>Cloud costs decide who wins.</p></td><td><p>Sidebar</p></td></tr></table>"
            "<ul><li>A plain item</li><li><p>An item's paragraph.</p><p>Its second.</p></li>"
            "</ul><table><tr><td><p>(a)</p></td><td><p>the point's text;</p></td></tr>"
            "<tr><th>Country</th><th>Share</th></tr><tr><td>Germany</td><td>25 %</td></tr>"
            "</table></body></html>")
    assert line_texts(page) == [
        "Main column about compute.", "Cloud costs decide who wins.", "Sidebar",
        "A plain item", "An item's paragraph.", "Its second.", "(a) the point's text;",
        "Country Share", "Germany 25 %"]


def test_html_text_outside_paragraphs_is_kept() -> None:
    # Pages built of divisions, and definition lists (Sphinx's menus, glossaries): their
    # text stands in no paragraph tag and was lost.
    page = ("<html><body><div>Compute decides who wins.</div><dl><dt>Leitungsorgan</dt>"
            "<dd><p>The management body of an entity.</p></dd></dl>"
            "<div><span>Loose</span> text <div><p>Inner paragraph.</p></div></div>"
            "</body></html>")
    assert line_texts(page) == [
        "Compute decides who wins.", "Leitungsorgan", "The management body of an entity.",
        "Loose text", "Inner paragraph."]


def test_html_inline_elements_keep_the_pages_spacing() -> None:
    page = ("<html><body><p>The double colon <code>::</code> operator returns "
            "Option&lt;<a href='o.html'>f64</a>&gt;; the file is <code>.idlerc</code>.</p>"
            "<p>From 2<sup>n</sup> to Regulation<sup>3</sup>, line<br>break.</p>"
            "<p>Rules for the <em>manu</em>facturer.</p></body></html>")
    assert line_texts(page) == [
        "The double colon :: operator returns Option<f64>; the file is .idlerc.",
        "From 2 n to Regulation 3, line break.", "Rules for the manufacturer."]


def test_an_html_contents_list_is_left_out() -> None:
    # A page's list of links to its own headings; a list item that says more than its
    # link is text.
    page = ("<html><body><ul><li><a href='#scope'>Scope</a><ul><li><a href='#terms'>Terms"
            "</a></li></ul></li><li>See <a href='#scope'>Scope</a> first.</li></ul>"
            "<h2 id='scope'>Scope</h2><p>The rules apply.</p></body></html>")
    assert line_texts(page) == ["See Scope first.", "Scope", "The rules apply."]


def test_html_heading_permalinks_and_buttons_are_left_out() -> None:
    # Sphinx ends each heading with a link to itself shown as "¶", rustdoc opens it with
    # "§" and adds a "Copy item path" button: none of it is the heading's name.
    page = ("<html><body><h1>Module option<button>Copy item path</button></h1>"
            "<h2><a class='doc-anchor' href='#rep'>§</a>Representation</h2><p>Text.</p>"
            "<h2>Menus<a class='headerlink' href='#menus'>¶</a></h2><p>More.</p>"
            "</body></html>")
    _, blocks = parse_bytes(page.encode(), "html", "fallback")
    assert [b.section for b in blocks] == ["Module option › Representation",
                                           "Module option › Menus"]


def test_a_wiki_pages_furniture_is_left_out() -> None:
    # The seeds name the German Wikipedia article on semiconductors: edit links inside
    # headings, contents, citation marks, reference list, navigation box, categories.
    page = (Path(__file__).parent / "data" / "wikipedia-style.html").read_bytes()
    _, blocks = parse_bytes(page, "html", "fallback")
    assert [(b.section, b.text[:40]) for b in blocks] == [
        ("Halbleitertechnik", "Die Halbleitertechnik befasst sich mit d"),
        ("Halbleitertechnik › Geschichte", "Die ersten Transistoren wurden 1947 in d"),
    ]
    assert blocks[0].text.endswith("Halbleitermaterialien.")  # no "[1]"
