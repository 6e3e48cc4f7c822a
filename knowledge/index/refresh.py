"""Incremental, atomic refresh of the knowledge base from its sources."""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from knowledge.core.documents import PIPELINE_VERSION, Passage, SourceDocument
from knowledge.core.errors import (
    EmbedderError,
    EmptySource,
    RefreshBusy,
    RefreshFailed,
    SourceError,
    StoreError,
)
from knowledge.index.section_changes import SectionChanges, section_changes
from knowledge.index.state import (
    DocumentEntry,
    FailedSource,
    JournalEntry,
    KnowledgeState,
    StateFile,
)
from knowledge.index.store import LAYOUT_VERSION, VectorStore, collection_name
from knowledge.passages.kept_words import KeptWords, kept_words
from knowledge.passages.splitting import document_of, passages_of
from knowledge.passages.structure import MAX_WORDS
from knowledge.sources.added import AddedFolder
from knowledge.sources.discovery import NOT_FOUND, SourceSpec, discover
from knowledge.sources.loaders import Loaded, load, load_bytes
from knowledge.sources.url_cache import UrlCache

log = logging.getLogger(__name__)

# A source yielding more is refused by name: 50 MB of HTML made 1.4 M passages, some 20
# hours of embedding.
MAX_PASSAGES_PER_SOURCE = 20_000
LOCK_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class ReadDocument:
    document: SourceDocument
    words: KeptWords
    note: str = ""  # what its fetch left to say ("kept the copy fetched on ...")


def read_document(spec: SourceSpec, cache: UrlCache, max_words: int = 0) -> ReadDocument:
    """A source read by its format (sources, reading), then cut into its document's blocks
    (passages), with the count of its words they keep."""
    return _cut(load(spec, cache, max_words))


def read_offered(spec: SourceSpec, data: bytes, kind: str,
                 max_words: int = 0) -> ReadDocument:
    """A document's bytes, of a kind known, read as `read_document` reads a source: a
    document offered from the chat, judged before it is stored."""
    return _cut(load_bytes(spec, data, kind, max_words))


def _cut(loaded: Loaded) -> ReadDocument:
    spec = loaded.spec
    document = document_of(spec.key, loaded.text, loaded.fallback_title, spec.title,
                           spec.url, spec.language)
    return ReadDocument(document, kept_words(loaded.text, document), loaded.note)


class Progress(Protocol):
    def start(self, total: int) -> None: ...

    def advance(self, source: str) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, source: str) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass
class RefreshSummary:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    passages: int = 0
    seconds: float = 0.0
    rebuilt_from: str = ""  # the previous embedder when a rebuild re-embedded everything
    rebuilt_because: str = ""  # why everything was re-embedded, in a sentence
    # Each document read: its running text's words, and how many its passages keep.
    words: dict[str, KeptWords] = field(default_factory=dict)
    # For each changed document, its sections added, changed and removed.
    sections: dict[str, SectionChanges] = field(default_factory=dict)
    # The scopes each removed document had, and each changed document's earlier version:
    # what a place may be told of them (bot/serving/digest.py: seen_summary).
    removed_scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    previous_scopes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed, {len(self.unchanged)} unchanged, "
            f"{len(self.failed)} failed; {self.passages:,} passage"
            f"{'' if self.passages == 1 else 's'}; {self.seconds:.1f} s"
        )


class Refresher:
    """Runs refreshes for one data dir, one at a time across threads and processes."""

    def __init__(self, data_dir: Path, locations: list[Path], store: VectorStore,
                 state_file: StateFile, url_cache: UrlCache,
                 max_passages: int = MAX_PASSAGES_PER_SOURCE) -> None:
        self.data_dir = data_dir
        self.locations = locations
        self.store = store
        self.state_file = state_file
        self.url_cache = url_cache
        self.max_passages = max_passages
        self.added = AddedFolder(data_dir)
        self._thread_lock = threading.Lock()

    @contextmanager
    def exclusive(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the refresh lock (one refresh per data dir, across threads and
        processes), waiting up to `wait` seconds for it; RefreshBusy when not had."""
        deadline = time.monotonic() + wait
        held = self._thread_lock.acquire(timeout=wait) if wait > 0 else \
            self._thread_lock.acquire(blocking=False)
        if not held:
            raise RefreshBusy
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with (self.data_dir / "refresh.lock").open("w") as lock_file:
                while True:
                    try:
                        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError as error:  # another process refreshes
                        if time.monotonic() >= deadline:
                            raise RefreshBusy from error
                        time.sleep(LOCK_POLL_SECONDS)
                try:
                    yield
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def busy(self) -> bool:
        """Whether a refresh runs in this process now (another process's is not seen)."""
        return self._thread_lock.locked()

    def refresh(self, progress: Progress | None = None) -> RefreshSummary:
        with self.exclusive():
            return self.refresh_held(progress)

    def refresh_held(self, progress: Progress | None = None,
                     only: frozenset[str] | None = None) -> RefreshSummary:
        """A refresh by a caller that holds the lock (see `exclusive`): of every source,
        or `only` of these source keys (documents added from the chat), every other
        document kept as it is."""
        try:
            return self._refresh(progress or NoProgress(), only)
        except (StoreError, EmbedderError) as error:
            raise RefreshFailed(str(error)) from error

    def _sources(self, old: KnowledgeState, only: frozenset[str] | None,
                 ) -> tuple[list[SourceSpec], list[tuple[str, str]], dict[str, DocumentEntry]]:
        """The sources to read, the problems found finding them, and the documents kept
        as they are without reading (all of them but `only`'s in a partial refresh)."""
        try:
            added = self.added.specs()
        except OSError as error:
            raise RefreshFailed(str(error)) from error
        if only is not None:
            return ([spec for spec in added if spec.key in only], [],
                    {key: entry for key, entry in old.documents.items() if key not in only})
        specs, problems = discover(self.locations, self.data_dir)
        missing = [where for where, why in problems if why == NOT_FOUND]
        if missing:
            raise RefreshFailed(f"source location not found: {', '.join(missing)}")
        known = {spec.key for spec in specs}
        for spec in added:
            if spec.key in known:
                problems.append((spec.key, "listed twice; the first one is used"))
            else:
                specs.append(spec)
        return sorted(specs, key=lambda s: s.key), problems, {}

    def _refresh(self, progress: Progress, only: frozenset[str] | None) -> RefreshSummary:
        started = time.perf_counter()
        summary = RefreshSummary()
        old = self.state_file.current()
        target = collection_name(self.store.embedder.identity)
        rebuild = bool(old.collection) and old.collection != target
        if rebuild:
            summary.rebuilt_from = old.embedder
        summary.rebuilt_because = _everything_again(old, self.store.embedder.identity,
                                                    rebuild)
        if summary.rebuilt_because:
            log.info("re-embedding everything: %s", summary.rebuilt_because)
            only = None  # every document is read again, not only those asked for
        if self.state_file.unreadable:
            # Which stored rows are live is unknown: none is trusted, all is rebuilt.
            summary.rebuilt_because = ("The knowledge state file was unreadable: rebuilt "
                                       "from the sources.")
            only = None
            self.store.drop(target)
            self.state_file.clear_journal()
            resumable: dict[str, DocumentEntry] = {}
        else:
            resumable = self._collect_garbage(old, target)

        specs, problems, kept = self._sources(old, only)
        summary.failed.extend(problems)

        documents: dict[str, DocumentEntry] = dict(kept)
        # Versions a killed refresh embedded completely stay in the journal until taken
        # over, so a refresh killed again loses nothing either.
        written = [JournalEntry(version, target, entry) for version, entry in resumable.items()]
        if written:
            self.state_file.write_journal(written)
        progress.start(len(specs))
        try:
            for spec in specs:
                entry = self._refresh_one(spec, old, rebuild, target, summary, written,
                                          resumable)
                if entry is not None:
                    documents[spec.key] = entry
                progress.advance(spec.key)
        finally:
            progress.finish()

        summary.removed = sorted(set(old.documents) - set(kept) - {s.key for s in specs})
        summary.removed_scopes = {key: old.documents[key].scopes for key in summary.removed}
        live = {entry.version for entry in documents.values()}
        unused = set(resumable) - live  # documents changed again since: their rows go
        if unused:
            self.store.delete_versions(target, unused)
        stale = {entry.version for entry in old.documents.values()} - live
        new_state = KnowledgeState(
            embedder=self.store.embedder.identity,
            collection=target,
            refreshed_at=time.time(),
            documents=documents,
            garbage=tuple(sorted(stale)) if not rebuild else (),
            garbage_collections=(old.collection,) if rebuild else (),
            pipeline=PIPELINE_VERSION,
            failed={**({source: failed for source, failed in old.failed.items()
                        if source not in only} if only is not None else {}),
                    **_failures(summary.failed, specs, documents, old)},
        )
        summary.passages = new_state.passage_count
        if new_state.documents != old.documents or rebuild or not old.collection:
            self.state_file.replace(new_state)
        elif old.refreshed_at:
            self.state_file.replace(replace(old, refreshed_at=new_state.refreshed_at,
                                            garbage=(), garbage_collections=()))
        self._settled(only)
        summary.seconds = time.perf_counter() - started
        log.info("refresh done: %s", summary.line())
        return summary

    def _refresh_one(self, spec: SourceSpec, old: KnowledgeState, rebuild: bool, target: str,
                     summary: RefreshSummary, written: list[JournalEntry],
                     resumable: dict[str, DocumentEntry]) -> DocumentEntry | None:
        previous = old.documents.get(spec.key)
        try:
            read = read_document(spec, self.url_cache, self.max_passages * MAX_WORDS)
            document = read.document
            unchanged = previous is not None and previous.version == document.version \
                and not rebuild
            passages = [] if unchanged else passages_of(document)
            if len(passages) > self.max_passages:
                raise SourceError(f"{len(passages):,} passages, more than the limit of "
                                  f"{self.max_passages:,} (POLICYBOT_MAX_PASSAGES_PER_SOURCE)")
        except EmptySource:
            if previous is not None:
                summary.notes.append((spec.key, "no text any more; its passages were removed"))
            else:
                summary.failed.append((spec.key, "no text found"))
            return None
        except Exception as error:
            # One bad source (a malformed PDF, a decompression bomb, ...) is skipped by
            # name; it must not stop the others or block every later refresh.
            reason = str(error) if isinstance(error, SourceError) else \
                f"could not be read ({type(error).__name__})"
            # The summary names it and says why; the log keeps what only a developer needs
            # (an unexpected error's traceback), so a person reads it once.
            if isinstance(error, SourceError):
                log.info("source %s skipped: %s", spec.key, reason)
            else:
                log.warning("source %s skipped: %s", spec.key, reason, exc_info=True)
            summary.failed.append((spec.key, reason))
            # Its earlier passages stay, unless they belong to the replaced embedder.
            return replace(previous, scopes=spec.scopes) \
                if previous is not None and not rebuild else None
        summary.words[spec.key] = read.words
        if read.note:
            summary.notes.append((spec.key, read.note))
        if unchanged and previous is not None:
            summary.unchanged.append(spec.key)
            return replace(previous, read_at=time.time(), scopes=spec.scopes)
        (summary.changed if previous is not None else summary.added).append(spec.key)
        if previous is not None and not rebuild:
            summary.sections[spec.key] = self._section_changes(old.collection, previous,
                                                               passages)
        if previous is not None:
            summary.previous_scopes[spec.key] = previous.scopes
        taken_over = resumable.get(document.version)
        if taken_over is not None:  # embedded by a refresh that was killed before the swap
            return replace(taken_over, refreshed_at=time.time(), read_at=time.time(),
                           scopes=spec.scopes)
        # Journal first: if we die during the upsert, the next refresh removes these rows;
        # once they are all stored, it takes them over instead.
        written.append(JournalEntry(document.version, target))
        self.state_file.write_journal(written)
        self.store.add(target, passages)
        entry = replace(_entry(document, passages), scopes=spec.scopes)
        written[-1] = JournalEntry(document.version, target, entry)
        self.state_file.write_journal(written)
        return entry

    def _settled(self, only: frozenset[str] | None) -> None:
        """The new state is in: the journal goes, and after a full refresh the files of
        documents no longer added (an add tidies once it knows its outcome)."""
        self.state_file.clear_journal()
        if only is None:
            self.added.tidy()

    def _section_changes(self, collection: str, previous: DocumentEntry,
                         passages: list[Passage]) -> SectionChanges:
        """Which sections of a changed document were added, changed or removed (none
        named when the earlier version cannot be read: the digest then says "changed")."""
        try:
            earlier = self.store.version_sections(collection, previous.version)
        except StoreError:
            log.warning("cannot read the earlier version of %s", previous.source,
                        exc_info=True)
            return SectionChanges()
        return section_changes(earlier, [(p.section, p.paragraph, p.part, p.text)
                                         for p in passages])

    def _collect_garbage(self, old: KnowledgeState, target: str) -> dict[str, DocumentEntry]:
        """Delete what earlier refreshes left for later; never what is live, nor what a
        killed refresh embedded completely into the target (returned, to be taken over)."""
        live = old.live_versions
        journal = self.state_file.journal()
        resumable = {e.version: e.document for e in journal
                     if e.document is not None and e.collection == target
                     and e.version not in live}
        leftovers = (set(old.garbage) | {e.version for e in journal}) - live - set(resumable)
        if old.collection and leftovers:
            self.store.delete_versions(old.collection, leftovers)
        if target != old.collection and leftovers:
            self.store.delete_versions(target, leftovers)
        for name in old.garbage_collections:
            if name not in {old.collection, target}:
                self.store.drop(name)
        self.state_file.clear_journal()
        return resumable


def _everything_again(old: KnowledgeState, embedder: str, rebuild: bool) -> str:
    """Why a refresh embeds every document again, in a sentence; "" when it does not."""
    if rebuild:
        return (f"Embedder changed (was {old.embedder}): re-embedded everything."
                if old.embedder != embedder else
                "Passages are now split by document structure (new store layout "
                f"{LAYOUT_VERSION}): re-embedded everything.")
    if old.documents and old.pipeline != PIPELINE_VERSION:
        # Every document's version holds the pipeline's: all of them are changed.
        return ("Documents are now read and split another way (pipeline "
                f"{old.pipeline or 'of an earlier version'} -> {PIPELINE_VERSION}): every "
                "document is split and embedded again.")
    return ""


def _failures(failed: list[tuple[str, str]], specs: list[SourceSpec],
              documents: dict[str, DocumentEntry],
              old: KnowledgeState) -> dict[str, FailedSource]:
    """The sources a refresh could not read, each with when it last could and its
    scopes (a scoped source's failure is shown only where the source would be)."""
    scopes_of = {spec.key: spec.scopes for spec in specs}
    return {source: FailedSource(reason, _last_worked(source, documents, old),
                                 scopes_of.get(source, ()))
            for source, reason in failed}


def _last_worked(source: str, documents: dict[str, DocumentEntry],
                 old: KnowledgeState) -> float:
    """When a source that failed was last read: its kept document's time, or what the
    state said when it failed before; 0 for never."""
    kept = documents.get(source)
    if kept is not None:
        return kept.read_at or kept.refreshed_at
    earlier = old.failed.get(source)
    return earlier.last_worked if earlier is not None else 0.0


def _entry(document: SourceDocument, passages: list[Passage]) -> DocumentEntry:
    return DocumentEntry(
        source=document.source,
        title=document.title,
        url=document.url,
        language=document.language,
        version=document.version,
        passages=len(passages),
        refreshed_at=time.time(),
        passage_languages=tuple(sorted({p.language for p in passages} - {document.language})),
        read_at=time.time(),
    )
