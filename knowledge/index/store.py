"""The Chroma vector store: passages and their sentences, tagged by document version.

A store *name* (what the knowledge state records) stands for a pair of Chroma collections
per passage language, one of passages and one of sentences. Keeping them apart lets every
search be a plain HNSW query: a ``where`` filter on a shared collection made search time
grow with the whole collection (302 ms at 10k passages, see BENCHMARKS.md). Apart by
language, each language's best passages are found even where another language holds
nearly all of the knowledge base, and their scores can be calibrated before merging.

Records of several versions of a document can sit in a collection at once; which
versions are live is decided by the knowledge state (see ``state.py``), never by the
collection. That is what lets a refresh build next to what readers are using.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from knowledge.core.documents import Passage, sentence_id
from knowledge.core.errors import StoreError
from knowledge.index.embedders import Embedder, Vectors

log = logging.getLogger(__name__)

PASSAGE = "passage"
SENTENCE = "sentence"
# Bumped when the record layout changes; part of the collection name.
LAYOUT_VERSION = "v3"
KINDS = (PASSAGE, SENTENCE)
UPSERT_BATCH = 512


def collection_name(embedder_identity: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", embedder_identity).strip("-._")[:400]
    return f"policybot-{LAYOUT_VERSION}-{slug or 'custom'}"


def physical_name(name: str, kind: str, language: str) -> str:
    """The Chroma collection holding one kind of record of a store, in one language."""
    return f"{name}-{kind}s-{language_slug(language)}"


def language_slug(language: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", language.lower())[:8] or "xx"


def open_client(data_dir: Path, server_url: str = "", token: str = "") -> Any:
    """The embedded store under the data dir, or a Chroma server when a URL is given;
    `token`: sent to the server with every request ("Authorization: Bearer", Chroma's own
    client auth). The Chroma 1.x server checks no token itself (measured: a listing
    without one is answered); a proxy in front of it does."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if not server_url:
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)
    if token:
        settings = ChromaSettings(
            anonymized_telemetry=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials=token)
    url = urlsplit(server_url)
    try:
        client = _within(SERVER_TIMEOUT_SECONDS, lambda: chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https", settings=settings,
        ))
        _bound_wait(client)
        return client
    except Exception as error:  # chromadb raises ValueError for "not running"
        if "Unauthorized" in str(error) or "Forbidden" in str(error):
            raise StoreError(f"the Chroma server at {server_url} refused the request: a "
                             "missing or wrong token") from error
        raise StoreError(f"cannot reach the Chroma server at {server_url}") from error


# Chroma's HTTP client waits forever (httpx timeout None): a server that accepts and never
# answers held each answer thread, and so every answer, for good. A batch upsert of 512
# records takes seconds; a minute is a server that will not answer.
SERVER_TIMEOUT_SECONDS = 60.0


def _within(seconds: float, make: Callable[[], Any]) -> Any:
    """What `make` returns, if it returns within `seconds` (the client's first requests,
    made while it is built, cannot be given a timeout); TimeoutError otherwise, its
    thread left behind as a daemon."""
    done: list[Any] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(make())
        except BaseException as error:  # handed to the caller
            failed.append(error)

    thread = threading.Thread(target=run, name="chroma-connect", daemon=True)
    thread.start()
    thread.join(seconds)
    if failed:
        raise failed[0]
    if not done:
        raise TimeoutError(f"no answer in {seconds:.0f} s")
    return done[0]


def _bound_wait(client: Any) -> None:
    """Give the client's HTTP session a timeout (Chroma offers no setting for it)."""
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(SERVER_TIMEOUT_SECONDS, connect=10.0)
    else:  # a chromadb that keeps its session elsewhere: say so, the bot still runs
        log.warning("cannot bound how long the Chroma client waits (chromadb changed)")


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


# How many candidates HNSW keeps while it searches. Chroma's 100 left a search depending on
# the process: the graph is rebuilt from its log at each start, and at 100 the 60 nearest
# sentences differed between two processes asking the same question (answers changed with
# them). At 1,000 a language's collection is searched nearly exhaustively (see
# BENCHMARKS.md for what it costs at 10k passages).
SEARCH_EF = 1000


def _search_widely(collection: Any) -> None:
    """Raise a collection's search breadth to SEARCH_EF, also for collections that an
    earlier version created (HNSW's search breadth is not part of the stored vectors)."""
    try:
        hnsw = (collection.configuration or {}).get("hnsw") or {}
        if int(hnsw.get("ef_search") or 0) < SEARCH_EF:
            collection.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})
    except Exception as error:  # a store that cannot be tuned still answers
        log.warning("could not widen the search of %s (%s): %s", collection.name,
                    type(error).__name__, error)


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
            _search_widely(self._stores[name]._collection)
        return self._stores[name]

    def add(self, name: str, passages: Sequence[Passage]) -> int:
        """Embed and upsert passages and their sentences; returns the texts embedded."""
        rows: dict[tuple[str, str], tuple[list[str], list[str], list[dict[str, Any]]]] = {}
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
            ids, texts, metadatas = rows.setdefault((PASSAGE, passage.language), ([], [], []))
            ids.append(passage.id)
            texts.append(passage.embedding_text())
            metadatas.append({**base, "kind": PASSAGE, "text": passage.text})
            if len(passage.sentences) > 1:  # a one-sentence passage is its own sentence
                ids, texts, metadatas = rows.setdefault((SENTENCE, passage.language),
                                                        ([], [], []))
                for index, sentence in enumerate(passage.sentences):
                    ids.append(sentence_id(passage.id, index))
                    texts.append(passage.sentence_embedding_text(sentence))
                    metadatas.append({**base, "kind": SENTENCE, "text": sentence})
        all_texts = [text for _, texts, _ in rows.values() for text in texts]
        if not all_texts:
            return 0
        # One embedding call for everything: the embedder batches as suits its engine.
        vectors = self.embedder.embed_passages(all_texts)
        offset = 0
        for (kind, language), (ids, texts, metadatas) in rows.items():
            self.upsert(name, kind, language, ids, vectors[offset:offset + len(ids)], texts,
                        metadatas)
            offset += len(ids)
        return len(all_texts)

    def upsert(self, name: str, kind: str, language: str, ids: Sequence[str],
               vectors: Vectors, texts: Sequence[str],
               metadatas: Sequence[dict[str, Any]]) -> None:
        """Write already embedded records of one kind and language."""
        if not ids:
            return
        with reaching():
            collection = self.collection(name, kind, language)
            for start in range(0, len(ids), UPSERT_BATCH):
                end = start + UPSERT_BATCH
                collection.upsert(
                    ids=list(ids[start:end]),
                    embeddings=vectors[start:end],
                    documents=list(texts[start:end]),
                    metadatas=list(metadatas[start:end]),
                )

    def collection(self, name: str, kind: str, language: str) -> Any:
        """The raw Chroma collection of one kind and language (created when missing)."""
        return self._store(physical_name(name, kind, language))._collection

    def _physical(self, name: str) -> list[str]:
        """The Chroma collections that make up a store, whatever their kind and language."""
        prefixes = tuple(f"{name}-{kind}s-" for kind in KINDS)
        return sorted(n for n in self._names() if n.startswith(prefixes))

    def languages(self, name: str) -> list[str]:
        """The passage languages a store holds (as slugs)."""
        prefix = f"{name}-{PASSAGE}s-"
        return [n[len(prefix):] for n in self._physical(name) if n.startswith(prefix)]

    def delete_versions(self, name: str, versions: Iterable[str]) -> None:
        wanted = sorted(set(versions))
        if not wanted:
            return
        where: Any = {"doc_version": {"$in": wanted}}
        with reaching():
            for physical in self._physical(name):
                self._store(physical)._collection.delete(where=where)

    def _names(self) -> set[str]:
        with reaching():
            collections = self.client.list_collections()
        return {c if isinstance(c, str) else c.name for c in collections}

    def names(self) -> set[str]:
        """Store names present in the client (a store exists when its passages do)."""
        marker = f"-{PASSAGE}s-"
        return {n[: n.rindex(marker)] for n in self._names() if marker in n}

    def drop(self, name: str) -> None:
        present = self._names()
        # Earlier layouts: one collection (v1), one pair without languages (v2).
        old = [name, *(f"{name}-{kind}s" for kind in KINDS)]
        with reaching():
            for physical in [*(n for n in old if n in present), *self._physical(name)]:
                self.client.delete_collection(physical)
                self._stores.pop(physical, None)

    def ping(self) -> None:
        """Raise StoreError unless the store answers (for health checks)."""
        with reaching():
            self.client.heartbeat()

    def count(self, name: str) -> int:
        with reaching():
            return sum(int(self._store(physical)._collection.count())
                       for physical in self._physical(name))

    def query(self, name: str, vector: Vectors, kind: str, n: int,
              language: str) -> list[Record]:
        with reaching():
            result = self.collection(name, kind, language).query(
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

    def nearest(self, name: str, vector: Vectors, kind: str, n: int,
                language: str) -> list[tuple[str, float]]:
        """Ids and similarities only: reading a row's metadata costs Chroma some 0.1 ms,
        six times what finding it does."""
        with reaching():
            result = self.collection(name, kind, language).query(
                query_embeddings=[vector.tolist()], n_results=n, include=["distances"])
        distances = (result.get("distances") or [[]])[0]
        return [(record_id, 1.0 - float(distance))
                for record_id, distance in zip(result["ids"][0], distances, strict=True)]

    def passage_metadata(self, name: str, language: str) -> list[tuple[str, dict[str, Any]]]:
        """Every passage's id and metadata (text included) in one language: a full read,
        for indexes built once per knowledge-base snapshot."""
        with reaching():
            result = self.collection(name, PASSAGE, language).get(include=["metadatas"])
        return [(record_id, dict(metadata or {}))
                for record_id, metadata in zip(result["ids"], result["metadatas"] or [],
                                               strict=True)]

    def version_sections(self, name: str, version: str) -> list[tuple[str, int, int, str]]:
        """A document version's passages as (section, paragraph, part, text), in every
        passage language: what a refresh compares a changed document's new passages with."""
        rows = []
        with reaching():
            for language in self.languages(name):
                result = self.collection(name, PASSAGE, language).get(
                    where={"doc_version": version}, include=["metadatas"])
                for meta in result["metadatas"] or []:
                    found = dict(meta or {})
                    rows.append((str(found.get("section", "")),
                                 int(found.get("paragraph", 0) or 0),
                                 int(found.get("part", 0) or 0), str(found.get("text", ""))))
        return sorted(rows, key=lambda row: (row[1], row[2]))

    def get_passages(self, name: str, passage_ids: list[str], language: str,
                     vector: Vectors | None = None) -> list[Record]:
        """Passages by id; with their similarity to `vector` if one is given (else -1)."""
        if not passage_ids:
            return []
        include = ["metadatas", "embeddings"] if vector is not None else ["metadatas"]
        with reaching():
            result = self.collection(name, PASSAGE, language).get(ids=passage_ids,
                                                                  include=include)
        embeddings = result.get("embeddings")
        records = []
        for index, (record_id, metadata) in enumerate(
                zip(result["ids"], result["metadatas"] or [], strict=True)):
            meta = dict(metadata or {})
            similarity = -1.0
            if vector is not None and embeddings is not None:
                similarity = float(np.asarray(embeddings[index], dtype=np.float32) @ vector)
            records.append(
                Record(id=record_id, kind=PASSAGE, passage_id=record_id,
                       doc_version=str(meta.get("doc_version", "")),
                       text=str(meta.get("text", "")), similarity=similarity, metadata=meta)
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
