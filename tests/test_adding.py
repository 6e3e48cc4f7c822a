"""Documents added and removed from the chat, at the knowledge base: judged before
anything changes, indexed alone, replaced by name or title, removed by title, and never
left half done (a failing store, a crash between the steps)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import knowledge.index.refresh as refresh_module
from knowledge.assembly.adding import AddedBy, AddRefused, Offered
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.core.errors import SourceError, StoreError
from knowledge.index.embedders import E5Embedder, Vectors
from knowledge.index.refresh import ReadDocument
from knowledge.sources.added import AddedDocument, safe_name
from knowledge.sources.discovery import SourceSpec
from knowledge.sources.url_cache import UrlCache
from testing.hostile_server import HostileServer
from tests.conftest import ESSAY, WrappedEmbedder, make_kb

BY = AddedBy("U1", "C1", "slack")
NOTE = b"# Cloud note\n\nThe finance team expects sovereign cloud costs to double by 2028.\n"


def keys(kb: KnowledgeBase) -> set[str]:
    return set(kb.state_file.current().documents)


def stored_files(kb: KnowledgeBase) -> set[str]:
    folder = kb.refresher.added.folder
    return {p.name for p in folder.iterdir()} - {"added.json"} if folder.is_dir() else set()


def test_an_added_document_is_searchable_and_survives_a_full_refresh(
        own_kb: KnowledgeBase) -> None:
    added = own_kb.additions.add(Offered(NOTE, "cloud note.md"), BY)
    assert added.title == "Cloud note" and added.passages == 1
    assert keys(own_kb) == {ESSAY.name, "chat:cloud-note.md"}
    hits = own_kb.retriever.search("How much will sovereign cloud costs rise?").hits
    assert hits[0].source == "chat:cloud-note.md"
    summary = own_kb.refresh()
    assert summary.unchanged == sorted([ESSAY.name, "chat:cloud-note.md"])
    assert summary.added == summary.removed == []


def test_a_file_of_the_same_name_or_title_replaces_the_earlier_one(
        own_kb: KnowledgeBase) -> None:
    first = own_kb.additions.add(Offered(NOTE, "cloud note.md"), AddedBy("U1", "C1", "slack",
                                                                      "Finance note"))
    again = own_kb.additions.add(Offered(NOTE.replace(b"double", b"triple"), "cloud note.md"), BY)
    assert again.replaced == first.document
    assert again.title == "Finance note"  # the title given before carries over
    assert keys(own_kb) == {ESSAY.name, again.document.key}
    assert stored_files(own_kb) == {again.document.file}  # the replaced file is gone
    titled = own_kb.additions.add(Offered(b"Other words on budgets.\n", "budget.txt"),
                              AddedBy("U2", "C2", "slack", "finance NOTE"))
    assert titled.replaced is not None and titled.replaced.key == again.document.key
    assert keys(own_kb) == {ESSAY.name, titled.document.key}


@pytest.mark.parametrize("data, name, reason", [
    (b"PK\x03\x04" + bytes(40), "a.zip", "a zip archive, not a document"),
    (b"MZ\x90\x00" + bytes(40), "setup.exe", "a program, not a document"),
    (b"\x1f\x8b\x08" + bytes(40), "a.tar.gz", "a compressed archive"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "photo.png", "binary data"),
    (b"plain words", "notes.rtf", "not a document type I read (.rtf"),
    (b"%PDF-1.4\n%%EOF", "broken.pdf", "unreadable"),
    (b"not a pdf", "fake.pdf", "named .pdf but not a PDF file inside"),
    (b" \n\n ", "empty.txt", "empty"),
    (bytes(30) * 1024 * 1024, "big.txt", "too big: 30 MB; the limit is 25 MB "
     "(POLICYBOT_ADD_MAX_MB)"),
])
def test_bad_input_is_refused_by_name_and_changes_nothing(
        own_kb: KnowledgeBase, data: bytes, name: str, reason: str) -> None:
    before = own_kb.state_file.current()
    with pytest.raises(AddRefused) as refused:
        own_kb.additions.add(Offered(data, name), BY)
    assert str(refused.value).startswith(reason), refused.value
    assert own_kb.state_file.current() == before
    assert stored_files(own_kb) == set() and own_kb.refresher.added.documents() == {}


def test_remove_takes_the_document_out_and_says_where_others_come_from(
        own_kb: KnowledgeBase) -> None:
    own_kb.additions.add(Offered(NOTE, "cloud note.md"), BY)
    own_kb.additions.add(Offered(b"# Cloud note\n\nA second note on the same.\n", "other.md"),
                     AddedBy("U1", "C1", "slack", "Second"))
    with pytest.raises(AddRefused, match="not from the chat"):
        own_kb.additions.remove(ESSAY.name)
    with pytest.raises(AddRefused, match='no document added from the chat is called "x"'):
        own_kb.additions.remove("x")
    removed = own_kb.additions.remove("cloud-note.md")
    assert removed.title == "Cloud note" and removed.passages == 1
    assert keys(own_kb) == {ESSAY.name, "chat:other.md"}
    assert stored_files(own_kb) == {"other.md"}


def test_a_name_that_fits_several_asks_which(own_kb: KnowledgeBase) -> None:
    own_kb.additions.add(Offered(NOTE, "a.md"), AddedBy("U1", "C1", "slack", "Budget"))
    own_kb.additions.add(Offered(b"# Budget\n\nOther words on budgets.\n", "b.md"), BY)
    with pytest.raises(AddRefused, match=r'fits several.*"Budget" \(a.md\).*"Budget" '
                                         r'\(b.md\)'):
        own_kb.additions.remove("budget")
    assert len(own_kb.refresher.added.documents()) == 2


class FailingStoreEmbedder(WrappedEmbedder):
    """The real embedder that fails on passages (an embeddings endpoint gone away)."""

    fail = False

    def embed_passages(self, texts: list[str]) -> Vectors:
        if self.fail:
            raise StoreError("the store went away")
        return self.inner.embed_passages(texts)


def test_a_failure_while_indexing_leaves_the_knowledge_base_as_it_was(
        tmp_path: Path, sources_dir: Path, e5: E5Embedder) -> None:
    embedder = FailingStoreEmbedder(e5)
    kb = make_kb(tmp_path / "data", [sources_dir], embedder)
    kb.refresher.refresh()
    first = kb.additions.add(Offered(NOTE, "cloud note.md"), BY)
    before, manifest = kb.state_file.current(), kb.refresher.added.documents()
    embedder.fail = True
    with pytest.raises(Exception, match="the store went away"):
        kb.additions.add(Offered(NOTE.replace(b"double", b"triple"), "cloud note.md"), BY)
    assert kb.state_file.current() == before
    assert kb.refresher.added.documents() == manifest == {first.document.key: first.document}
    embedder.fail = False
    assert kb.refresh().added == []  # nothing half done for the next refresh to finish
    assert stored_files(kb) == {first.document.file}


def test_a_crash_between_the_steps_is_finished_or_undone_by_the_next_refresh(
        own_kb: KnowledgeBase) -> None:
    folder = own_kb.refresher.added
    # Killed after the manifest was swapped, before the index: the refresh finishes it.
    path = folder.store(NOTE, "note.md", set())
    folder.commit({"chat:note.md": AddedDocument(path.name, "", "U1", 1.0, "C1", "slack",
                                                  "note.md")})
    # Killed after a file was stored, before the manifest named it: the refresh deletes it.
    folder.store(b"half", "orphan.md", {"note.md"})
    summary = own_kb.refresh()
    assert summary.added == ["chat:note.md"]
    assert stored_files(own_kb) == {"note.md"}


def test_names_from_outside_never_leave_the_folder() -> None:
    assert safe_name("../../etc/passwd", "txt") == "passwd.txt"
    assert safe_name("..\\..\\boot.ini", "txt") == "boot.txt"
    assert safe_name(".env", "txt") == "document.txt"
    assert safe_name("Entwurf Überarbeitung (v2).pdf", "pdf") == "Entwurf-Uberarbeitung-v2.pdf"
    assert safe_name("", "md") == "document.md"


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def test_a_url_is_fetched_only_from_a_public_address(
        tmp_path: Path, sources_dir: Path, e5: E5Embedder, hostile: HostileServer) -> None:
    kb = make_kb(tmp_path / "data", [sources_dir], e5, offline=False)
    with pytest.raises(AddRefused, match="private or local address"):
        kb.additions.fetch(hostile.url("/page"))
    assert hostile.requests == []  # connected, nothing asked
    with pytest.raises(AddRefused, match="not a web address"):
        kb.additions.fetch("file:///etc/passwd")
    # The same page, from an address taken as public (as a test server must be).
    public = KnowledgeBase(kb.config, internal=lambda address: False)
    public.__dict__["embedder"] = e5
    public.refresher.refresh()
    offered = public.additions.fetch(hostile.url("/page"))
    added = public.additions.add(offered, BY)
    assert added.title == "Page" and added.document.url == hostile.url("/page")
    with pytest.raises(AddRefused, match=r"larger than 1 MB \(POLICYBOT_ADD_MAX_MB\)"):
        KnowledgeBase(kb.config.__class__(**{**kb.config.__dict__, "add_max_bytes": 1 << 20}),
                      internal=lambda address: False).additions.fetch(
            hostile.url("/endless?mb=5"))


def test_the_terminal_reads_a_file_confined_as_the_sources_are(
        own_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "paper.md").write_bytes(NOTE)
    (tmp_path / ".env").write_text("POLICYBOT_SLACK_BOT_TOKEN=xoxb-secret\n")
    (tmp_path / "inside.md").symlink_to(tmp_path / ".env")
    assert own_kb.additions.local(Path("paper.md")).data == NOTE
    for path, reason in [(".env", "a dotfile"), ("inside.md", "a dotfile"),
                         (str(own_kb.config.data_dir / "knowledge.json"), "inside the data dir"),
                         ("/etc/hostname", "outside the working directory"),
                         ("missing.md", "no such file")]:
        with pytest.raises(AddRefused, match=reason):
            own_kb.additions.local(Path(path))


def test_a_replacement_that_fails_keeps_the_earlier_version(
        own_kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    first = own_kb.additions.add(Offered(NOTE, "cloud note.md"), BY)
    real = refresh_module.read_document

    def failing_after_the_judge(spec: SourceSpec, cache: UrlCache,
                                max_words: int = 0) -> ReadDocument:
        # The refresh reads the new version again after the judge read it; a reader that
        # fails the second time (a PDF worker over its time under load) is simulated.
        if spec.key.startswith("chat:") and spec.key != first.document.key:
            raise SourceError("not a readable PDF (it took too long)")
        return real(spec, cache, max_words)

    monkeypatch.setattr(refresh_module, "read_document", failing_after_the_judge)
    with pytest.raises(AddRefused, match="unreadable: not a readable PDF"):
        own_kb.additions.add(Offered(NOTE.replace(b"double", b"triple"), "cloud note.md"), BY)
    assert keys(own_kb) == {ESSAY.name, first.document.key}
    assert own_kb.refresher.added.documents() == {first.document.key: first.document}
    assert stored_files(own_kb) == {first.document.file}


def test_a_url_replaces_only_the_same_address(own_kb: KnowledgeBase) -> None:
    page = b"<html><head><title>Draft</title></head><body><p>Budget words.</p></body></html>"
    first = own_kb.additions.add(Offered(page, "https://a.example/consultation/download",
                                         "text/html", "https://a.example/consultation/download"),
                                 BY)
    other = own_kb.additions.add(Offered(page.replace(b"Budget", b"Other"),
                                         "https://b.example/reports/download", "text/html",
                                         "https://b.example/reports/download"), BY)
    assert other.replaced is None
    again = own_kb.additions.add(Offered(page, "https://A.example/consultation/download/",
                                         "text/html",
                                         "https://A.example/consultation/download/"), BY)
    assert again.replaced == first.document and again.replaced_title == "Draft"
