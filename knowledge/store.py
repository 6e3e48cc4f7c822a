"""The Chroma vector store: passages and their sentences, tagged by document version.

Records of several versions of a document can sit in the collection at once; which
versions are live is decided by the knowledge state (see ``state.py``), never by the
collection. That is what lets a refresh build next to what readers are using.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from knowledge.documents import Passage, sentence_id
from knowledge.embedders import Embedder, Matrix

PASSAGE = "passage"
SENTENCE = "sentence"
# Bumped when the record layout changes; part of the collection name.
LAYOUT_VERSION = "v1"
UPSERT_BATCH = 512


class StoreError(Exception):
    """The vector store could not be reached or used; the message is safe to show."""


def collection_name(embedder_identity: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder_identity).strip("-._")[:400]
    return f"policybot-{LAYOUT_VERSION}-{slug or 'custom'}"


def open_client(data_dir: Path) -> Any:
    return chromadb.PersistentClient(
        path=str(data_dir / "chroma"),
        settings=ChromaSettings(anonymized_telemetry=False),
    )


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
        texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        ids: list[str] = []
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
            ids.append(passage.id)
            texts.append(passage.embedding_text())
            metadatas.append({**base, "kind": PASSAGE, "text": passage.text})
            if len(passage.sentences) > 1:  # a one-sentence passage is its own sentence
                for index, sentence in enumerate(passage.sentences):
                    ids.append(sentence_id(passage.id, index))
                    texts.append(passage.sentence_embedding_text(sentence))
                    metadatas.append({**base, "kind": SENTENCE, "text": sentence})
        if not ids:
            return 0
        vectors = self.embedder.embed_passages(texts)
        collection = self._store(name)._collection
        for start in range(0, len(ids), UPSERT_BATCH):
            end = start + UPSERT_BATCH
            collection.upsert(
                ids=ids[start:end],
                embeddings=vectors[start:end],
                documents=texts[start:end],
                metadatas=metadatas[start:end],  # type: ignore[arg-type]
            )
        return len(ids)

    def delete_versions(self, name: str, versions: Iterable[str]) -> None:
        wanted = sorted(set(versions))
        if wanted and self.has_collection(name):
            where: Any = {"doc_version": {"$in": wanted}}
            self._store(name)._collection.delete(where=where)

    def has_collection(self, name: str) -> bool:
        return name in {c if isinstance(c, str) else c.name for c in self.client.list_collections()}

    def drop(self, name: str) -> None:
        if self.has_collection(name):
            self.client.delete_collection(name)
        self._stores.pop(name, None)

    def count(self, name: str) -> int:
        return int(self._store(name)._collection.count()) if self.has_collection(name) else 0

    def query(self, name: str, vector: Matrix, kind: str, n: int) -> list[Record]:
        collection = self._store(name)._collection
        result = collection.query(
            query_embeddings=[vector.tolist()],
            n_results=n,
            where={"kind": kind},
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
        result = self._store(name)._collection.get(ids=passage_ids, include=["metadatas"])
        records = []
        for record_id, metadata in zip(result["ids"], result["metadatas"] or [], strict=True):
            meta = dict(metadata or {})
            records.append(
                Record(id=record_id, kind=PASSAGE, passage_id=record_id,
                       doc_version=str(meta.get("doc_version", "")),
                       text=str(meta.get("text", "")), similarity=-1.0, metadata=meta)
            )
        return records
