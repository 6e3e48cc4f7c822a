"""One contract, every store mode: the embedded Chroma under the data dir and a real
`chroma run` server. What the refresh and the retriever rely on, checked on each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.core.documents import Passage, passage_id
from knowledge.core.errors import StoreError
from knowledge.index.embedders import E5Embedder
from knowledge.index.store import (
    PASSAGE,
    SEARCH_EF,
    SENTENCE,
    VectorStore,
    collection_name,
    open_client,
    physical_name,
)
from knowledge.text.sentences import split_sentences
from testing.chroma_server import ChromaServer, free_port

NAME = collection_name("e5-small")


def passage(source: str, version: str, number: int, text: str, language: str) -> Passage:
    return Passage(id=passage_id(source, version, number, 1), source=source, title=source,
                   section="Chapter I › Article 1", paragraph=number, part=1, text=text,
                   url="", language=language, doc_version=version,
                   sentences=tuple(split_sentences(text)))


PASSAGES = [
    passage("essay.txt", "v1", 1, "Die Hyperscaler stellen die Rechenleistung bereit. "
            "Europa kauft sie ein.", "de"),
    passage("essay.txt", "v1", 2, "Der Kuchen wird bei 160 Grad gebacken.", "de"),
    passage("cra.md", "v7", 1, "Manufacturers shall report actively exploited "
            "vulnerabilities within 24 hours. The report goes to the CSIRT.", "en"),
]


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.e2e)])
def store(request: pytest.FixtureRequest, tmp_path: Path,
          e5: E5Embedder) -> Iterator[VectorStore]:
    if request.param == "embedded":
        yield VectorStore(open_client(tmp_path / "data"), e5)
        return
    with ChromaServer(tmp_path / "chroma") as server:
        yield VectorStore(open_client(tmp_path / "data", server.url), e5)


def test_added_passages_and_sentences_are_found_per_language(store: VectorStore,
                                                              e5: E5Embedder) -> None:
    embedded = store.add(NAME, PASSAGES)
    assert embedded == 3 + 2 + 2  # passages, and the sentences of the two longer ones
    assert store.count(NAME) == embedded
    assert sorted(store.languages(NAME)) == ["de", "en"]
    assert store.names() == {NAME}
    question = e5.embed_question("Who provides the computing power?")
    best = store.query(NAME, question, PASSAGE, 1, "de")[0]
    assert best.passage_id == PASSAGES[0].id and best.doc_version == "v1"
    assert best.text == PASSAGES[0].text and best.metadata["section"] == "Chapter I › Article 1"
    nearest = store.nearest(NAME, question, SENTENCE, 2, "de")
    assert [record_id.split(".s")[0] for record_id, _ in nearest] == [PASSAGES[0].id] * 2
    assert nearest[0][1] >= nearest[1][1]
    english = store.query(NAME, question, PASSAGE, 5, "en")
    assert [r.passage_id for r in english] == [PASSAGES[2].id]
    fetched = store.get_passages(NAME, [PASSAGES[2].id], "en")
    assert [r.text for r in fetched] == [PASSAGES[2].text]


def test_passages_are_read_whole_and_by_id_with_their_similarity(
        store: VectorStore, e5: E5Embedder) -> None:
    store.add(NAME, PASSAGES)
    whole = dict(store.passage_metadata(NAME, "de"))
    assert {i: (meta["text"], meta["section"]) for i, meta in whole.items()} == {
        p.id: (p.text, p.section) for p in PASSAGES if p.language == "de"}
    question = e5.embed_question("Who provides the computing power?")
    nearest = store.query(NAME, question, PASSAGE, 2, "de")
    read = store.get_passages(NAME, [r.passage_id for r in nearest], "de", question)
    assert [r.similarity for r in read] == pytest.approx([r.similarity for r in nearest],
                                                          abs=1e-4)
    assert all(r.similarity == -1.0 for r in store.get_passages(NAME, [PASSAGES[0].id], "de"))


def test_deleting_a_version_removes_its_passages_and_sentences(store: VectorStore) -> None:
    store.add(NAME, PASSAGES)
    store.delete_versions(NAME, ["v1"])
    assert store.count(NAME) == 1 + 2  # the regulation's passage and its two sentences
    store.drop(NAME)
    assert store.names() == set() and store.count(NAME) == 0


def test_an_unreachable_store_is_one_store_error(tmp_path: Path, e5: E5Embedder) -> None:
    with pytest.raises(StoreError):
        VectorStore(open_client(tmp_path, f"http://127.0.0.1:{free_port()}"), e5).ping()


def test_collections_are_searched_widely_also_when_an_earlier_version_made_them(
        store: VectorStore) -> None:
    # A collection as an earlier version left it: Chroma's default search breadth.
    old = physical_name(NAME, PASSAGE, "de")
    store.client.create_collection(old, metadata={"hnsw:space": "cosine"})
    assert store.client.get_collection(old).configuration["hnsw"]["ef_search"] < SEARCH_EF
    store.add(NAME, PASSAGES)
    for physical in (old, physical_name(NAME, SENTENCE, "en")):
        assert store.client.get_collection(physical).configuration["hnsw"]["ef_search"] \
            == SEARCH_EF
