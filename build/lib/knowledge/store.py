"""The Chroma vector store: passages and their sentences, tagged by document version.

A store *name* (what the knowledge state records) stands for two Chroma collections, one
of passages and one of sentences. Keeping them apart lets every search be a plain HNSW
query: a ``where`` filter on a shared collection made search time grow with the whole
collection (302 ms at 10k passages, see BENCHMARKS.md).

Records of several versions of a document can sit in a collection at once; which
versions are live is decided by the knowledge state (see ``state.py``), never by the
collection. That is what lets a refresh build next to what readers are using.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from knowledge.documents import Passage, sentence_id
from knowledge.embedders import Embedder, Matrix

PASSAGE = "passage"
SENTENCE = "sentence"
# Bumped when the record layout changes; part of the collection name.
LAYOUT_VERSION = "v2"
KINDS = (PASSAGE, SENTENCE)
UPSERT_BATCH = 512


class StoreError(Exception):
    """The vector store could not be reached or used; the message is safe to show."""


def collection_name(embedder_identity: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder_identity).strip("-._")[:400]
    return f"policybot-{LAYOUT_VERSION}-{slug or 'custom'}"


def physical_name(name: str, kind: str) -> str:
    """The Chroma collection holding one kind of record of a store."""
    return f"{name}-{kind}s"


def open_client(data_dir: Path, server_url: str = "") -> Any:
    """The embedded store under the data dir, or a Chroma server when a URL is given."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if not server_url:
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)
    url = urlsplit(server_url)
    try:
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https", settings=settings,
        )
    except Exception as error:  # chromadb raises ValueError for "not running"
        raise StoreError(f"cannot reach the Chroma server at {server_url}") from error


@dataclass(frozen=True)
class Record:
    """One row of a query result: a passage or a sentence, with its similarity."""

    id: str
    kind: str
    passage_id: str
    doc_version: str
    text: str
    similarity: float
    metadata: dict[str, Any]


class VectorStore:
    def __init__(self, client: Any, embedder: Embedder) -> None:
        self.client = client
        self.embedder = embedder
        self._stores: dict[str, Chroma] = {}

    def _store(self, name: str) -> Chroma:
        if name not in self._stores:
            self._stores[name] = Chroma(
                client=self.client,
                collection_name=name,
                # Always our embedder: Chroma's default downloads a model.
                embedding_function=self.embedder,
                collection_metadata={"hnsw:space": "cosine"},
            )
        return self._stores[name]

    def add(self, name: str, passages: Sequence[Passage]) -> int:
        """Embed and upsert passages and their sentences; returns the records written."""
        rows: dict[str, tuple[list[str], list[str], list[dict[str, Any]]]] = {
            kind: ([], [], []) for kind in KINDS
        }
        for passage in passages:
            base = {
                "passage_id": passage.id,
                "source": passage.source,
                "title": passage.title,
                "section": passage.section,
                "paragraph": passage.paragraph,
                "part": passage.part,
                "url": passage.url,
                "language": passage.language,
                "doc_version": passage.doc_version,
            }
            ids, texts, metadatas = rows[PASSAGE]
            ids.append(passage.id)
            texts.append(passage.embedding_text())
            metadatas.append({**base, "kind": PASSAGE, "text": passage.text})
            if len(passage.sentences) > 1:  # a one-sentence passage is its own sentence
                ids, texts, metadatas = rows[SENTENCE]
                for index, sentence in enumerate(passage.sentences):
                    ids.append(sentence_id(passage.id, index))
                    texts.append(passage.sentence_embedding_text(sentence))
                    metadatas.append({**base, "kind": SENTENCE, "text": sentence})
        all_texts = [text for kind in KINDS for text in rows[kind][1]]
        if not all_texts:
            return 0
        # One embedding call for both kinds: the embedder batches best with everything.
        vectors = self.embedder.embed_passages(all_texts)
        offset = 0
        for kind in KINDS:
            ids, texts, metadatas = rows[kind]
            self.upsert(name, kind, ids, vectors[offset:offset + len(ids)], texts, metadatas)
            offset += len(ids)
        return len(all_texts)

    def upsert(self, name: str, kind: str, ids: Sequence[str], vectors: Matrix,
               texts: Sequence[str], metadatas: Sequence[dict[str, Any]]) -> None:
        """Write already embedded records of one kind."""
        if not ids:
            return
        with reaching():
            collection = self.collection(name, kind)
            for start in range(0, len(ids), UPSERT_BATCH):
                end = start + UPSERT_BATCH
                collection.upsert(
                    ids=list(ids[start:end]),
                    embeddings=vectors[start:end],
                    documents=list(texts[start:end]),
                    metadatas=list(metadatas[start:end]),
                )

    def collection(self, name: str, kind: str) -> Any:
        """The raw Chroma collection of one kind (created when missing)."""
        return self._store(physical_name(name, kind))._collection

    def delete_versions(self, name: str, versions: Iterable[str]) -> None:
        wanted = sorted(set(versions))
        if not wanted:
            return
        where: Any = {"doc_version": {"$in": wanted}}
        present = self._names()
        with reaching():
            for kind in KINDS:
                if physical_name(name, kind) in present:
                    self.collection(name, kind).delete(where=where)

    def _names(self) -> set[str]:
        with reaching():
            collections = self.client.list_collections()
        return {c if isinstance(c, str) else c.name for c in collections}

    def names(self) -> set[str]:
        """Store names present in the client (a store exists when its passages do)."""
        suffix = f"-{PASSAGE}s"
        return {n[: -len(suffix)] for n in self._names() if n.endswith(suffix)}

    def drop(self, name: str) -> None:
        present = self._names()
        with reaching():
            if name in present:  # a store of the one-collection layout (v1)
                self.client.delete_collection(name)
            for kind in KINDS:
                physical = physical_name(name, kind)
                if physical in present:
                    self.client.delete_collection(physical)
                self._stores.pop(physical, None)

    def ping(self) -> None:
        """Raise StoreError unless the store answers (for health checks)."""
        with reaching():
            self.client.heartbeat()

    def count(self, name: str) -> int:
        present = self._names()
        with reaching():
            return sum(
                int(self.collection(name, kind).count())
                for kind in KINDS if physical_name(name, kind) in present
            )

    def query(self, name: str, vector: Matrix, kind: str, n: int) -> list[Record]:
        with reaching():
            result = self.collection(name, kind).query(
                query_embeddings=[vector.tolist()],
                n_results=n,
                include=["metadatas", "distances"],
            )
        records: list[Record] = []
        metadatas = (result.get("metadatas") or [[]])[0]
        distances = (result.get("distances") or [[]])[0]
        for record_id, metadata, distance in zip(result["ids"][0], metadatas, distances,
                                                 strict=True):
            meta = dict(metadata or {})
            records.append(
                Record(
                    id=record_id,
                    kind=str(meta.get("kind", kind)),
                    passage_id=str(meta.get("passage_id", record_id)),
                    doc_version=str(meta.get("doc_version", "")),
                    text=str(meta.get("text", "")),
                    similarity=1.0 - float(distance),
                    metadata=meta,
                )
            )
        return records

    def get_passages(self, name: str, passage_ids: list[str]) -> list[Record]:
        if not passage_ids:
            return []
        with reaching():
            result = self.collection(name, PASSAGE).get(ids=passage_ids, include=["metadatas"])
        records = []
        for record_id, metadata in zip(result["ids"], result["metadatas"] or [], strict=True):
            meta = dict(metadata or {})
            records.append(
                Record(id=record_id, kind=PASSAGE, passage_id=record_id,
                       doc_version=str(meta.get("doc_version", "")),
                       text=str(meta.get("text", "")), similarity=-1.0, metadata=meta)
            )
        return records


@contextmanager
def reaching() -> Iterator[None]:
    """Any failure of the store becomes one StoreError.

    A server that went away surfaces as httpx or chromadb errors of many kinds; to the
    person it is one thing. The cause stays attached for the log.
    """
    try:
        yield
    except StoreError:
        raise
    except Exception as error:
        raise StoreError(f"the vector store failed ({type(error).__name__})") from error
