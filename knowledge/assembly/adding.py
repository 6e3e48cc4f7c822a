"""Documents added and removed from the chat, one at a time, without a full refresh.

A document is judged before anything changes: its size, its kind (by its bytes), whether
it reads to any text, how many passages it makes. Only then is it stored (under a name of
its own: a replaced version stays until the new one is indexed), the manifest swapped,
and the knowledge base refreshed for that document alone. When the refresh fails, the
manifest goes back and the knowledge base is as it was. A crash in between leaves a
manifest that names the document, and the next refresh indexes it, or one that does not,
and the next refresh deletes its file: never half a document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from knowledge.core.errors import EmptySource, KnowledgeError, RefreshBusy, SourceError
from knowledge.index.refresh import Refresher, RefreshSummary, read_offered
from knowledge.index.state import DocumentEntry, KnowledgeState, StateFile
from knowledge.passages.splitting import passages_of
from knowledge.passages.structure import MAX_WORDS
from knowledge.reading.document_kinds import kind_of
from knowledge.sources.added import AddedDocument, AddedFolder, base_name, folded, safe_name
from knowledge.sources.discovery import SourceSpec
from knowledge.sources.fetching import BoundedFetcher

# How long an `add` waits for a refresh that holds the lock (a full refresh of a large
# knowledge base takes minutes; the person was told it is queued).
QUEUE_WAIT_SECONDS = 30 * 60


class AddRefused(KnowledgeError):
    """An `add` or `remove` that changed nothing; str() says why, in one line."""

    @classmethod
    def too_big(cls, size: int, limit: int) -> AddRefused:
        """`size` 0: more than the limit, by how much unknown (it stopped coming in)."""
        said = _megabytes(size) if size else f"more than {_megabytes(limit)}"
        return cls(f"too big: {said}; the limit is {_megabytes(limit)} "
                   "(POLICYBOT_ADD_MAX_MB)")


@dataclass(frozen=True)
class Offered:
    """A document offered from the chat: its bytes and what it was called."""

    data: bytes
    name: str  # the file's name, or the URL
    content_type: str = ""
    url: str = ""  # set when fetched from a URL


@dataclass(frozen=True)
class AddedBy:
    """Who adds a document, where, and under which title ("": its own)."""

    user: str
    where: str
    platform: str
    title: str = ""
    scopes: tuple[str, ...] = ()  # the place's: the document is seen where they reach


@dataclass(frozen=True)
class Added:
    document: AddedDocument
    title: str  # as the knowledge base holds it
    passages: int
    replaced: AddedDocument | None = None
    replaced_title: str = ""  # as the knowledge base held it


@dataclass(frozen=True)
class Removed:
    document: AddedDocument
    title: str
    passages: int


class Additions:
    """`add` and `remove` for one knowledge base."""

    def __init__(self, refresher: Refresher, state_file: StateFile, max_bytes: int,
                 fetcher: BoundedFetcher | None, max_passages: int) -> None:
        self.refresher = refresher
        self.state_file = state_file
        self.folder: AddedFolder = refresher.added
        self.max_bytes = max_bytes
        self.fetcher = fetcher  # None: offline, no URL is fetched
        self.max_passages = max_passages

    def fetch(self, url: str) -> Offered:
        """A URL's document, fetched with the bounds of URL sources and from public
        addresses only."""
        if urlsplit(url).scheme not in {"http", "https"} or not urlsplit(url).hostname:
            raise AddRefused(f"not a web address I can fetch: {url}")
        if self.fetcher is None:
            raise AddRefused("URLs are not fetched: the bot runs offline (POLICYBOT_OFFLINE)")
        try:
            data, content_type = self.fetcher(url)
        except SourceError as error:
            raise AddRefused(f"{url}: {error}") from error
        except Exception as error:  # httpx's, OSError: the URL is unreachable
            status = getattr(getattr(error, "response", None), "status_code", None)
            raise AddRefused(f"{url} is unreachable ("
                             f"{f'HTTP {status}' if status else type(error).__name__})"
                             ) from error
        return Offered(data, url, content_type, url)

    def local(self, path: Path) -> Offered:
        """A file on this machine (the terminal's `add FILE`), confined as the sources
        folders are: inside the working directory, the home directory or a sources
        folder; no dotfile or dot folder on the way (.env, .ssh); nothing in the data
        dir."""
        resolved = path.expanduser().resolve()
        data_dir = self.refresher.data_dir.resolve()
        if resolved == data_dir or data_dir in resolved.parents:
            raise AddRefused(f"{path}: inside the data dir; not read")
        bases = [Path.cwd().resolve(), Path.home().resolve(),
                 *(p.resolve() for p in self.refresher.locations if p.is_dir())]
        inside = [resolved.relative_to(base) for base in bases if base in resolved.parents]
        if not inside:
            raise AddRefused(f"{path}: outside the working directory, the home directory "
                             "and the sources folders; not read")
        if all(any(part.startswith(".") for part in relative.parts)
               for relative in inside):
            raise AddRefused(f"{path}: a dotfile or inside a dot folder; not read")
        if not resolved.is_file():
            raise AddRefused(f"{path}: no such file")
        size = resolved.stat().st_size
        if size > self.max_bytes:
            raise AddRefused.too_big(size, self.max_bytes)
        try:
            return Offered(resolved.read_bytes(), resolved.name)
        except OSError as error:
            raise AddRefused(f"{path}: unreadable ({error.strerror})") from error

    def add(self, offered: Offered, by: AddedBy,
            queued: Callable[[], None] = lambda: None) -> Added:
        """Add (or replace) a document and index it; `queued` is called once when another
        refresh holds the lock and the add waits for it."""
        if len(offered.data) > self.max_bytes:
            raise AddRefused.too_big(len(offered.data), self.max_bytes)
        try:
            kind = kind_of(offered.data, "" if offered.url else offered.name,
                           offered.content_type)
        except SourceError as error:
            raise AddRefused(str(error)) from error
        offered_name = _name_of(offered)
        name = safe_name(offered_name, kind)
        self._judge(offered, name, kind, by.title)
        with self._locked(queued):
            documents = self.folder.documents()
            # Only a document of the same scopes: one of another channel's is never
            # replaced (nor named) from here.
            replaced = self._replaced({k: d for k, d in documents.items()
                                       if set(d.scopes) == set(by.scopes)},
                                      offered, by.title)
            replaced_title = _title(replaced, self.state_file.current().documents) \
                if replaced is not None else ""
            kept = {key: d for key, d in documents.items()
                    if replaced is None or key != replaced.key}
            path = self.folder.store(offered.data, name, {d.file for d in kept.values()})
            # A new version keeps the title an admin gave the one it replaces.
            title = by.title or (replaced.title if replaced is not None else "")
            document = AddedDocument(path.name, title, by.user, time.time(), by.where,
                                     by.platform, offered.name, offered.url,
                                     tuple(sorted(set(by.scopes))))
            self.folder.commit({**kept, document.key: document})
            keys = frozenset({document.key} | ({replaced.key} if replaced else set()))
            summary = self._refresh(keys, documents)
            if document.key not in self.state_file.current().documents:
                reason = next((why for key, why in summary.failed if key == document.key),
                              "no text found")
                self._undo(documents, keys)
                raise AddRefused(f"unreadable: {reason}")
            self.folder.tidy()  # the replaced version's file, now that the new one is in
        entry = self.state_file.current().documents[document.key]
        return Added(document, entry.title, entry.passages, replaced, replaced_title)

    def remove(self, name: str, queued: Callable[[], None] = lambda: None,
               scopes: frozenset[str] | None = None) -> Removed:
        """Remove a document added from the chat, by its title or file name; only one
        a place with these `scopes` sees (None: any)."""
        with self._locked(queued):
            documents = self.folder.documents()
            state = self.state_file.current().visible(scopes)
            found = [d for d in documents.values() if d.key in state.documents and (
                d.answers_to(name) or _same(state.documents[d.key].title, name))]
            if not found:
                raise AddRefused(self._not_added(name, state))
            if len(found) > 1:
                raise AddRefused("that fits several documents added from the chat; say "
                                 "which: " + "; ".join(
                                     f'"{_title(d, state.documents)}" ({d.file})'
                                     for d in found))
            document = found[0]
            entry = state.documents.get(document.key)
            self.folder.commit({k: d for k, d in documents.items() if k != document.key})
            self._refresh(frozenset({document.key}), documents)
            self.folder.tidy()
        return Removed(document, _title(document, state.documents),
                       entry.passages if entry else 0)

    def _judge(self, offered: Offered, name: str, kind: str, title: str) -> None:
        """Refuse, before anything changes, a document that reads to no text or to more
        passages than a source may have."""
        spec = SourceSpec(key=name, path=None, url=offered.url, title=title)
        try:
            read = read_offered(spec, offered.data, kind, self.max_passages * MAX_WORDS)
        except EmptySource as error:
            raise AddRefused("empty: no text found in it") from error
        except SourceError as error:
            raise AddRefused(f"unreadable: {error}") from error
        except Exception as error:
            raise AddRefused(f"unreadable ({type(error).__name__})") from error
        passages = passages_of(read.document)
        if not passages:
            raise AddRefused("empty: no text found in it")
        if len(passages) > self.max_passages:
            raise AddRefused(f"{len(passages):,} passages, more than the limit of "
                             f"{self.max_passages:,} (POLICYBOT_MAX_PASSAGES_PER_SOURCE)")

    @contextmanager
    def _locked(self, queued: Callable[[], None]) -> Iterator[None]:
        """The refresh lock, waited for (once said to be queued) when another refresh
        holds it."""
        with ExitStack() as stack:
            try:
                stack.enter_context(self.refresher.exclusive())
            except RefreshBusy:
                queued()
                stack.enter_context(self.refresher.exclusive(wait=QUEUE_WAIT_SECONDS))
            yield

    def _refresh(self, keys: frozenset[str], before: dict[str, AddedDocument],
                 ) -> RefreshSummary:
        state = self.state_file.current()
        try:
            return self.refresher.refresh_held(only=keys)
        except BaseException:
            # The knowledge base stayed as it was: so does the manifest (and the files
            # it names are all still there: nothing is tidied before the outcome).
            if self.state_file.current() is state:
                self.folder.commit(before)
            raise

    def _undo(self, before: dict[str, AddedDocument], keys: frozenset[str]) -> None:
        """The new version could not be indexed after all: the earlier one back (its
        file was kept), the new file gone."""
        self.folder.commit(before)
        self.refresher.refresh_held(only=keys)
        self.folder.tidy()

    def _replaced(self, documents: dict[str, AddedDocument], offered: Offered,
                  title: str) -> AddedDocument | None:
        """The earlier document a new one replaces: the same URL (a web page's), the
        same file name (a file's), or the same title."""
        state = self.state_file.current().documents
        for document in documents.values():
            same_file = _same_url(document.url, offered.url) if offered.url else \
                not document.url and _same(base_name(document.offered), base_name(offered.name))
            same_title = bool(title) and (_same(document.title, title) or (
                document.key in state and _same(state[document.key].title, title)))
            if same_file or same_title:
                return document
        return None

    def _not_added(self, name: str, state: KnowledgeState) -> str:
        for key, entry in state.documents.items():
            if _same(entry.title, name) or _same(key, name) or _same(base_name(key), name):
                return (f'"{entry.title}" comes from the sources folder ({key}), not from '
                        "the chat: remove it there, then refresh")
        return f'no document added from the chat is called "{name}" (see: sources)'


def _name_of(offered: Offered) -> str:
    if not offered.url:
        return offered.name
    parts = urlsplit(offered.url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return last or parts.hostname or "document"


def _same_url(a: str, b: str) -> bool:
    """The same web address, told apart by its query, not by case of scheme and host or
    a trailing slash."""
    def normal(url: str) -> tuple[str, str, str, str]:
        parts = urlsplit(url.strip())
        return (parts.scheme.lower(), (parts.hostname or "").lower(),
                parts.path.rstrip("/") or "/", parts.query)
    return bool(a) and bool(b) and normal(a) == normal(b)


def _same(a: str, b: str) -> bool:
    return bool(folded(a)) and folded(a) == folded(b)


def _title(document: AddedDocument, entries: dict[str, DocumentEntry]) -> str:
    entry = entries.get(document.key)
    return (entry.title if entry else "") or document.title or document.file


def _megabytes(size: int) -> str:
    return f"{size / 1048576:.1f} MB" if size < 10 * 1048576 else f"{size / 1048576:.0f} MB"

