"""What the knowledge base holds right now: the single source of truth for readers.

A refresh writes a whole new state file and swaps it in with ``os.replace``, which is
atomic: a reader sees the old state or the new one, never a mixture.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

STATE_FILE = "knowledge.json"
JOURNAL_FILE = "refresh-journal.json"


@dataclass(frozen=True)
class DocumentEntry:
    source: str
    title: str
    url: str
    language: str
    version: str
    passages: int
    refreshed_at: float


@dataclass(frozen=True)
class KnowledgeState:
    embedder: str = ""
    collection: str = ""
    refreshed_at: float = 0.0
    documents: dict[str, DocumentEntry] = field(default_factory=dict)
    # Document versions (and whole collections) that no reader needs any more; deleted at
    # the start of the next refresh, so a question in flight during a swap still finds them.
    garbage: tuple[str, ...] = ()
    garbage_collections: tuple[str, ...] = ()

    @cached_property  # every search asks; the state never changes (a refresh makes a new one)
    def live_versions(self) -> frozenset[str]:
        return frozenset(entry.version for entry in self.documents.values())

    @property
    def passage_count(self) -> int:
        return sum(entry.passages for entry in self.documents.values())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["garbage"] = list(self.garbage)
        data["garbage_collections"] = list(self.garbage_collections)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> KnowledgeState:
        return cls(
            embedder=str(data.get("embedder", "")),
            collection=str(data.get("collection", "")),
            refreshed_at=float(data.get("refreshed_at", 0.0)),
            documents={
                key: DocumentEntry(**value) for key, value in data.get("documents", {}).items()
            },
            garbage=tuple(data.get("garbage", ())),
            garbage_collections=tuple(data.get("garbage_collections", ())),
        )


def write_json_atomically(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, ensure_ascii=False, indent=1)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class StateFile:
    """The state on disk, re-read only when another process has replaced it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / STATE_FILE
        self.journal_path = data_dir / JOURNAL_FILE
        self._cached: KnowledgeState = KnowledgeState()
        self._stamp: tuple[int, int] | None = None

    def current(self) -> KnowledgeState:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return KnowledgeState()
        stamp = (info.st_mtime_ns, info.st_ino)
        if stamp != self._stamp:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self._cached, self._stamp = KnowledgeState.from_json(data), stamp
        return self._cached

    def replace(self, state: KnowledgeState) -> None:
        write_json_atomically(self.path, state.to_json())
        self._cached = state
        info = self.path.stat()
        self._stamp = (info.st_mtime_ns, info.st_ino)

    # The journal names versions a refresh is writing before they are live, so that a
    # refresh that dies half-way leaves nothing behind that the next one cannot clean.
    def journal(self) -> list[str]:
        if not self.journal_path.exists():
            return []
        return list(json.loads(self.journal_path.read_text(encoding="utf-8")))

    def write_journal(self, versions: list[str]) -> None:
        write_json_atomically(self.journal_path, versions)

    def clear_journal(self) -> None:
        self.journal_path.unlink(missing_ok=True)
