"""Documents added from the chat: kept in a folder the bot manages inside its data dir,
with a manifest that says who added each one, when, where, and from which file or URL.

Nothing here trusts a name from outside: a stored file's name is made from the offered
one (letters, digits, dot, dash and underscore; no path, no leading dot) and never
replaces a file in place. A new version is stored under a name of its own and the
manifest is swapped whole, so a crash leaves either the old manifest or the new one, and
the next refresh indexes whatever the manifest names. Files the manifest does not name
are left-overs of a crash and are deleted.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

from knowledge.core.atomic_files import write_json_atomically
from knowledge.sources.discovery import CHAT_KEYS, SourceSpec

log = logging.getLogger(__name__)

FOLDER = "added"
MANIFEST = "added.json"
# Source keys of documents added from the chat: a namespace no sources folder's relative
# path can take (discovery refuses one that would), so a chat document can never replace
# or remove a sources folder's.
KEY_PREFIX = CHAT_KEYS
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class AddedDocument:
    """One document added from the chat."""

    file: str  # its name in the folder
    title: str  # the title given with `add`, or "" (the document's own then)
    added_by: str  # the platform's id of the person
    added_at: float
    where: str  # the channel or room it was added in ("terminal" at the terminal)
    platform: str
    offered: str = ""  # the file name it was offered under, or the URL it came from
    url: str = ""  # the URL it was fetched from: its citations link there
    scopes: tuple[str, ...] = ()  # the scopes of the place it was added in

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", tuple(self.scopes))

    @property
    def fallback_title(self) -> str:
        """Its name when the document names itself nowhere: the offered file's, or the
        URL (a stored file's name may carry a "-2")."""
        if self.url:
            return self.url
        stem = base_name(self.offered)
        return (stem.rsplit(".", 1)[0] if "." in stem else stem).replace("_", " ") \
            .replace("-", " ").strip() or self.file

    @property
    def key(self) -> str:
        """Its source key in the knowledge base."""
        return KEY_PREFIX + self.file

    def answers_to(self, name: str) -> bool:
        """Whether `name` (a title, a file name, the URL) names this document."""
        wanted = folded(name)
        return bool(wanted) and wanted in {folded(self.title), folded(self.file),
                                           folded(self.offered), folded(self.key),
                                           folded(Path(self.offered).name)}


def folded(text: str) -> str:
    """A name as people mean it: case, spacing and quotes aside."""
    return " ".join(text.casefold().split()).strip("\"'“”„")


def base_name(name: str) -> str:
    """The last part of a path or URL path, whichever slashes it was written with."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def safe_name(offered: str, kind: str) -> str:
    """A file name of the offered one's letters, with the suffix of its kind."""
    stem = Path(offered.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-_")[:MAX_NAME_CHARS]
    return f"{stem or 'document'}.{kind}"


class AddedFolder:
    """The folder of documents added from the chat, and its manifest."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / FOLDER
        self.manifest = self.folder / MANIFEST

    def documents(self) -> dict[str, AddedDocument]:
        """The documents the manifest names, by source key."""
        if not self.manifest.exists():
            return {}
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
            found = [AddedDocument(**entry) for entry in data]
        except (OSError, ValueError, TypeError) as error:
            # Read as empty, a refresh would remove every added document: refuse instead.
            raise OSError(f"the manifest of documents added from the chat ({self.manifest}) "
                          f"cannot be read: {error}") from error
        return {document.key: document for document in found}

    def specs(self) -> list[SourceSpec]:
        """The sources a refresh reads for the documents added from the chat."""
        specs = []
        for document in self.documents().values():
            path = self.folder / document.file
            if path.is_symlink() or not path.is_file() or path.parent != self.folder:
                log.warning("the added document %s is missing from %s", document.file,
                            self.folder)
                continue
            specs.append(SourceSpec(key=document.key, path=path, url=document.url,
                                    title=document.title,
                                    fallback_title=document.fallback_title,
                                    scopes=document.scopes))
        return specs

    def store(self, data: bytes, name: str, taken: set[str]) -> Path:
        """Write a document's bytes under `name`, or a variant of it no document of the
        manifest (`taken`) uses; the manifest is not changed (see `commit`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem, _, suffix = name.rpartition(".")
        candidate, number = name, 1
        while candidate in taken or (self.folder / candidate).exists():
            number += 1
            candidate = f"{stem}-{number}.{suffix}"
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            Path(temporary).replace(self.folder / candidate)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return self.folder / candidate

    def commit(self, documents: dict[str, AddedDocument]) -> None:
        """Swap in a new manifest, whole."""
        write_json_atomically(self.manifest, [asdict(d) for d in
                                              sorted(documents.values(), key=lambda d: d.key)])

    def tidy(self) -> None:
        """Delete files the manifest does not name (left by a crash or a replaced
        version)."""
        if not self.folder.is_dir():
            return
        named = {document.file for document in self.documents().values()}
        for path in self.folder.iterdir():
            if path.name != MANIFEST and path.name not in named and path.is_file() \
                    and not path.name.startswith(f".{MANIFEST}."):
                path.unlink(missing_ok=True)
