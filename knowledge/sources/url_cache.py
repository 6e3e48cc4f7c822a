"""Fetched URL sources, kept in the data dir: a source that cannot be fetched keeps its
last copy, and says since when."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from knowledge.core.documents import stable_hash
from knowledge.core.errors import SourceError
from knowledge.sources.fetching import FetchRefused

Fetcher = Callable[[str], tuple[bytes, str]]


class UrlCache:
    """Fetched URL sources, kept in the data dir so an unreachable URL keeps its copy."""

    def __init__(self, folder: Path, max_age_seconds: float, fetcher: Fetcher | None) -> None:
        self.folder = folder
        self.max_age_seconds = max_age_seconds
        self.fetcher = fetcher  # None: never fetch (offline)

    def _paths(self, url: str) -> tuple[Path, Path]:
        name = stable_hash(url, length=24)
        return self.folder / f"{name}.body", self.folder / f"{name}.json"

    def get(self, url: str) -> tuple[bytes, str, str]:
        """Body, content type and a note for the refresh summary (empty when fresh)."""
        body_path, meta_path = self._paths(url)
        cached: dict[str, object] | None = None
        if body_path.exists() and meta_path.exists():
            cached = json.loads(meta_path.read_text(encoding="utf-8"))
        if cached is not None and time.time() - float(str(cached["fetched_at"])) < (
            self.max_age_seconds
        ):
            return body_path.read_bytes(), str(cached["content_type"]), ""
        if self.fetcher is None:
            problem = "not fetched (offline)"
        else:
            try:
                body, content_type = self.fetcher(url)
            except FetchRefused as error:
                problem = str(error)
            except httpx.HTTPStatusError as error:
                problem = f"unreachable (HTTP {error.response.status_code})"
            except (httpx.HTTPError, OSError) as error:
                problem = f"unreachable ({type(error).__name__})"
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                body_path.write_bytes(body)
                meta = {"url": url, "content_type": content_type, "fetched_at": time.time()}
                meta_path.write_text(json.dumps(meta), encoding="utf-8")
                return body, content_type, ""
        if cached is None:
            raise SourceError(f"{problem}, and no cached copy")
        day = time.strftime("%Y-%m-%d", time.gmtime(float(str(cached["fetched_at"]))))
        return body_path.read_bytes(), str(cached["content_type"]), (
            f"{problem}, kept the copy fetched on {day}"
        )
