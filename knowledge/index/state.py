"""What the knowledge base holds right now: the single source of truth for readers.

A refresh writes a whole new state file and swaps it in with ``os.replace``, which is
atomic: a reader sees the old state or the new one, never a mixture.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from knowledge.core.atomic_files import write_json_atomically

log = logging.getLogger(__name__)

STATE_FILE = "knowledge.json"
JOURNAL_FILE = "refresh-journal.json"


def scope_reaches(place: frozenset[str], own: tuple[str, ...]) -> bool:
    """Whether a place with these scopes may see something of its `own` scopes: one of
    no scope everywhere, else where one of its scopes is the place's."""
    return not own or not place.isdisjoint(own)


@dataclass(frozen=True)
class DocumentEntry:
    source: str
    title: str
    url: str
    language: str
    version: str
    passages: int
    refreshed_at: float
    # Languages some of its passages are written in besides the document's own
    # (knowledge/text/languages.py: passage_language); each is searched as a language of its own.
    passage_languages: tuple[str, ...] = ()
    # When a refresh last read it (refreshed_at: when it was last embedded); 0: before
    # this was kept.
    read_at: float = 0.0
    # The scopes it belongs to (sources.toml's `scopes`, or the channel's it was added in
    # from the chat); none: every channel sees it. See KnowledgeState.visible.
    scopes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "passage_languages", tuple(self.passage_languages))
        object.__setattr__(self, "scopes", tuple(self.scopes))

    def seen_with(self, scopes: frozenset[str]) -> bool:
        """Whether a place with these scopes sees this document."""
        return scope_reaches(scopes, self.scopes)

    @property
    def languages(self) -> tuple[str, ...]:
        return (self.language, *self.passage_languages)


@dataclass(frozen=True)
class FailedSource:
    """A source the last refresh could not read: why, and when it last could (0: never)."""

    reason: str
    last_worked: float = 0.0
    scopes: tuple[str, ...] = ()  # its source's: a failure is shown where it would be

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", tuple(self.scopes))


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
    # The PIPELINE_VERSION that read and split the documents ("" before it was kept): a
    # refresh after an upgrade that splits anew can say why it re-embeds everything.
    pipeline: str = ""
    # The sources the last refresh could not read (a document of one may still be live,
    # from the last refresh that could).
    failed: dict[str, FailedSource] = field(default_factory=dict)

    @cached_property  # every search asks; the state never changes (a refresh makes a new one)
    def live_versions(self) -> frozenset[str]:
        return frozenset(entry.version for entry in self.documents.values())

    def visible(self, scopes: frozenset[str] | None) -> KnowledgeState:
        """The state as a place with these scopes sees it: the documents of no scope and
        those of its scopes, nothing else (their titles, passages and failures included);
        None: everything. One object per snapshot and scopes, so what is kept per
        snapshot (the catalogues) is kept per view too."""
        if scopes is None or not self.has_scopes:
            return self
        views: dict[frozenset[str], KnowledgeState] = self.__dict__.setdefault("_views", {})
        if scopes not in views:
            documents = {key: entry for key, entry in self.documents.items()
                         if entry.seen_with(scopes)}
            view = replace(self, documents=documents, failed={
                key: failed for key, failed in self.failed.items()
                if scope_reaches(scopes, failed.scopes)})
            view.__dict__["_base"] = self
            views[scopes] = view
        return views[scopes]

    @cached_property  # asked at every search (Retriever.state); the state never changes
    def has_scopes(self) -> bool:
        """Whether any document or failure of it has scopes (else every view is it)."""
        return any(e.scopes for e in self.documents.values()) or \
            any(f.scopes for f in self.failed.values())

    @property
    def base(self) -> KnowledgeState:
        """The whole snapshot a view was made from (itself when it is one)."""
        base = self.__dict__.get("_base", self)
        assert isinstance(base, KnowledgeState)
        return base

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
            pipeline=str(data.get("pipeline", "")),
            failed={key: FailedSource(**value)
                    for key, value in (data.get("failed") or {}).items()},
        )


@dataclass(frozen=True)
class JournalEntry:
    version: str
    collection: str = ""
    document: DocumentEntry | None = None  # set once every passage of it is stored

    @classmethod
    def from_json(cls, data: object) -> JournalEntry:
        if isinstance(data, str):  # the earlier journal: versions only
            return cls(data)
        if not isinstance(data, dict):
            raise TypeError("journal entry")
        document = data.get("document")
        return cls(str(data["version"]), str(data.get("collection", "")),
                   DocumentEntry(**document) if isinstance(document, dict) else None)

    def to_json(self) -> dict[str, object]:
        return {"version": self.version, "collection": self.collection,
                "document": asdict(self.document) if self.document else None}


class StateFile:
    """The state on disk, re-read only when another process has replaced it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / STATE_FILE
        self.journal_path = data_dir / JOURNAL_FILE
        self._cached: KnowledgeState = KnowledgeState()
        self._stamp: tuple[int, int] | None = None
        self.unreadable = False  # the file exists but could not be read: rebuild

    def current(self) -> KnowledgeState:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return KnowledgeState()
        stamp = (info.st_mtime_ns, info.st_ino)
        if stamp != self._stamp:
            try:
                state = KnowledgeState.from_json(json.loads(self.path.read_text("utf-8")))
                self.unreadable = False
            except (OSError, ValueError, TypeError, KeyError, AttributeError):
                # Read as empty (questions are told to refresh); the refresh rebuilds.
                log.warning("the knowledge state %s is unreadable; the next refresh "
                            "rebuilds it", self.path, exc_info=True)
                state, self.unreadable = KnowledgeState(), True
            self._cached, self._stamp = state, stamp
        return self._cached

    def replace(self, state: KnowledgeState) -> None:
        write_json_atomically(self.path, state.to_json())
        self._cached = state
        info = self.path.stat()
        self._stamp = (info.st_mtime_ns, info.st_ino)

    # The journal names versions a refresh is writing before they are live, so that a
    # refresh that dies half-way leaves nothing behind that the next one cannot clean;
    # a version whose document was embedded completely carries its entry, so that the
    # next refresh takes it over instead of embedding it again.
    def journal(self) -> list[JournalEntry]:
        if not self.journal_path.exists():
            return []
        try:
            data = json.loads(self.journal_path.read_text(encoding="utf-8"))
            return [JournalEntry.from_json(item) for item in data]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            log.warning("the refresh journal %s is unreadable; ignored", self.journal_path)
            return []

    def write_journal(self, entries: list[JournalEntry]) -> None:
        write_json_atomically(self.journal_path, [entry.to_json() for entry in entries])

    def clear_journal(self) -> None:
        self.journal_path.unlink(missing_ok=True)
