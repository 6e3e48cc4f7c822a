"""Finding the sources: the configured folders and files, and each folder's manifest.

Reading is confined to the sources: a manifest entry or a symlink that resolves outside its
folder is refused by name (a `file = "../.env"` entry once put the host's tokens into
answers), nothing under the data dir is read, and dotfiles (`.env`, `.git/`) are skipped
unless the manifest names them. A manifest that cannot be read stops the refresh: read
without it, every URL source and every title it gives would be removed.
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from knowledge.core.errors import RefreshFailed
from knowledge.reading.document_kinds import KINDS

log = logging.getLogger(__name__)

MANIFEST_NAME = "sources.toml"
SUFFIXES = frozenset(KINDS)  # the kinds read, by the suffixes that name them
OUTSIDE = "resolves outside its sources folder; not read"
IN_DATA_DIR = "inside the data dir; not read"
NOT_FOUND = "no such file or folder"
CHAT_KEYS = "chat:"  # see knowledge/sources/added.py

Problem = tuple[str, str]  # (source, why)


@dataclass(frozen=True)
class SourceSpec:
    """Where one source comes from and what the manifest says about it."""

    key: str  # path relative to its sources folder, or the URL
    path: Path | None
    url: str  # the fetched URL for URL sources, an optional link for files
    title: str = ""
    language: str = ""
    # What to call it when nothing else names it ("": its file's name, or the URL).
    fallback_title: str = ""
    # The scopes it belongs to (the manifest's `scopes`); none: every channel sees it.
    scopes: tuple[str, ...] = ()

    @property
    def is_remote(self) -> bool:
        return self.path is None


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


class _Confinement:
    def __init__(self, data_dir: Path | None) -> None:
        self.data_dir = data_dir.resolve() if data_dir is not None else None

    def refusal(self, path: Path, folder: Path | None) -> str:
        """Why `path` may not be read ("" when it may)."""
        resolved = path.resolve()
        if folder is not None and not _within(resolved, folder.resolve()):
            return OUTSIDE
        if self.data_dir is not None and _within(resolved, self.data_dir):
            return IN_DATA_DIR
        return ""


def discover(locations: list[Path], data_dir: Path | None = None,
             ) -> tuple[list[SourceSpec], list[Problem]]:
    """All sources under the configured folders and files, and problems found on the way.
    Raises RefreshFailed when a folder's manifest is unreadable or malformed."""
    confinement = _Confinement(data_dir)
    specs: dict[str, SourceSpec] = {}
    problems: list[Problem] = []
    for location in locations:
        if location.is_file():
            why = confinement.refusal(location, None)  # named by the admin: not confined
            if why:
                problems.append((str(location), why))
                continue
            found = [SourceSpec(key=location.name, path=location, url="")]
        elif location.is_dir():
            why = confinement.refusal(location, None)
            if why:
                problems.append((str(location), why))
                continue
            found = _folder_sources(location, confinement, problems)
        else:
            problems.append((str(location), NOT_FOUND))
            continue
        for spec in found:
            if spec.key in specs:
                problems.append((spec.key, "listed twice; the first one is used"))
            else:
                specs[spec.key] = spec
    return sorted(_once_with_scopes(specs), key=lambda s: s.key), problems


def _once_with_scopes(specs: dict[str, SourceSpec]) -> list[SourceSpec]:
    """The sources, a scoped file read once, with its scopes: never again without them by
    another name (another location holding its folder, a symlink)."""
    scoped = {spec.path.resolve(): spec.key for spec in specs.values()
              if spec.scopes and spec.path is not None}
    kept = []
    for spec in specs.values():
        same = scoped.get(spec.path.resolve()) if spec.path is not None else None
        if same is not None and same != spec.key:
            # Told to the log only: as a failure it would be shown, and name the scoped
            # file, where its scopes do not reach.
            log.warning("%s is the same file as %s, which has scopes; read once, with them",
                        spec.key, same)
            continue
        kept.append(spec)
    return kept


def _manifest(path: Path) -> list[object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RefreshFailed(f"{path}: {error}") from error
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise RefreshFailed(f"{path}: 'source' must be a list of [[source]] tables")
    return entries


def _folder_sources(folder: Path, confinement: _Confinement,
                    problems: list[Problem]) -> list[SourceSpec]:
    manifest = folder / MANIFEST_NAME
    listed: dict[str, SourceSpec] = {}
    remote: list[SourceSpec] = []
    for number, entry in enumerate(_manifest(manifest) if manifest.exists() else [], start=1):
        if not isinstance(entry, dict) or ("file" in entry) == ("url" in entry):
            raise RefreshFailed(f"{manifest}: entry {number} needs exactly one of 'file' or "
                                "'url'")
        title = str(entry.get("title", ""))
        language = str(entry.get("language", ""))
        scopes = entry.get("scopes", [])
        if not isinstance(scopes, list) or not all(isinstance(x, str) and x.strip()
                                                   for x in scopes):
            # Read as no scope, an embargoed draft would be shown everywhere.
            raise RefreshFailed(f"{manifest}: entry {number}: 'scopes' must be a list of "
                                'names, e.g. scopes = ["embargo-x"]')
        scoped = tuple(sorted({x.strip() for x in scopes}))
        if "url" in entry:
            url = str(entry["url"])
            remote.append(SourceSpec(key=url, path=None, url=url, title=title,
                                     language=language, scopes=scoped))
            continue
        relative = str(entry["file"])
        path = folder / relative
        why = confinement.refusal(path, folder)
        if scoped and (why or not path.is_file()):
            # Skipped, the file might still be read by another name (the folder's walk,
            # another location), without its scopes: nothing is read instead.
            raise RefreshFailed(f"{manifest}: entry {number}: {relative} "
                                f"{why or 'is no file'}; a source with scopes must name "
                                "one file inside its folder")
        if why:
            problems.append((relative, why))
            continue
        # Keyed as the folder's walk keys the file ("./a.md" is "a.md"): one file, one key.
        key = path.resolve().relative_to(folder.resolve()).as_posix() \
            if path.exists() else relative
        listed[key] = SourceSpec(key=key, path=path, url=str(entry.get("link", "")),
                                 title=title, language=language, scopes=scoped)
    return _folder_files(folder, listed, confinement, problems) + remote


def _folder_files(folder: Path, listed: dict[str, SourceSpec], confinement: _Confinement,
                  problems: list[Problem]) -> list[SourceSpec]:
    specs = dict(listed)
    named = {spec.path.resolve() for spec in listed.values() if spec.path is not None}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        key = relative.as_posix()
        if key in specs or path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        if path.resolve() in named:
            continue  # a listed file by another name (a symlink): read once, as listed
        if any(part.startswith(".") for part in relative.parts):
            continue  # dotfiles are the host's (.env, .git): only read when listed
        if key.startswith(CHAT_KEYS):
            problems.append((key, f"a name beginning {CHAT_KEYS!r} is kept for documents "
                                  "added from the chat; rename the file"))
            continue
        why = confinement.refusal(path, folder)
        if why == OUTSIDE:
            problems.append((key, why))
        if not why:
            specs[key] = SourceSpec(key=key, path=path, url="")
    return list(specs.values())
