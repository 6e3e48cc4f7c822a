"""The knowledge base as one object: embedder, store, state, refresh and search wired up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from knowledge.assembly.adding import Additions
from knowledge.core.errors import KnowledgeError
from knowledge.index.embedders import Embedder, UseEmbedder, make_embedder
from knowledge.index.refresh import MAX_PASSAGES_PER_SOURCE, Progress, Refresher, RefreshSummary
from knowledge.index.state import StateFile
from knowledge.index.store import VectorStore, open_client
from knowledge.search.judge import RelevanceJudge
from knowledge.search.results import Fusion
from knowledge.search.retriever import Retriever
from knowledge.sources.added import AddedDocument
from knowledge.sources.fetching import Address, BoundedFetcher, is_internal
from knowledge.sources.url_cache import UrlCache
from knowledge.text.lexicon import Dictionary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnowledgeConfig:
    data_dir: Path
    sources: tuple[Path, ...]
    embedder: str = "e5-small"
    embedder_base_url: str = ""
    embedder_api_key: str = ""
    embedder_timeout: float = 30.0
    offline: bool = False
    url_max_age_hours: float = 24.0
    fetch_timeout: float = 10.0  # seconds a URL source may take in all
    fetch_max_bytes: int = 50 * 1024 * 1024
    add_max_bytes: int = 25 * 1024 * 1024  # a document added from the chat, file or URL
    max_passages_per_source: int = MAX_PASSAGES_PER_SOURCE
    # Shifts the relevance judge: lower answers more, higher refuses more.
    relevance_threshold: float = 0.0
    fusion: Fusion = "max"
    chroma_url: str = ""  # empty: the embedded store under data_dir
    chroma_token: str = ""  # sent to the Chroma server (see index/store.open_client)
    # A German-English dictionary file (knowledge/text/lexicon.py); "": Debian's where present.
    dictionary: str = ""


class KnowledgeBase:
    """Everything is built on first use: opening one costs nothing."""

    def __init__(self, config: KnowledgeConfig, client: Any = None,
                 internal: Callable[[Address], bool] = is_internal) -> None:
        self.config = config
        self._client = client
        self._internal = internal  # which addresses a URL added from the chat may not reach

    @cached_property
    def embedder(self) -> Embedder:
        c = self.config
        return make_embedder(c.embedder, c.embedder_base_url, c.embedder_api_key,
                             c.embedder_timeout)

    @cached_property
    def store(self) -> VectorStore:
        client = self._client if self._client is not None else open_client(
            self.config.data_dir, self.config.chroma_url, self.config.chroma_token)
        return VectorStore(client, self.embedder)

    @cached_property
    def state_file(self) -> StateFile:
        return StateFile(self.config.data_dir)

    @cached_property
    def refresher(self) -> Refresher:
        c = self.config
        cache = UrlCache(
            c.data_dir / "cache" / "urls",
            max_age_seconds=c.url_max_age_hours * 3600,
            fetcher=None if c.offline else BoundedFetcher(c.fetch_timeout, c.fetch_max_bytes),
        )
        return Refresher(c.data_dir, list(c.sources), self.store, self.state_file, cache,
                         c.max_passages_per_source)

    @cached_property
    def additions(self) -> Additions:
        """`add` and `remove` from the chat."""
        c = self.config
        fetcher = None if c.offline else BoundedFetcher(
            c.fetch_timeout, c.add_max_bytes, self._internal, public_only=True,
            limit_name="POLICYBOT_ADD_MAX_MB")
        return Additions(self.refresher, self.state_file, c.add_max_bytes, fetcher,
                         c.max_passages_per_source)

    def added_documents(self) -> dict[str, AddedDocument]:
        """The documents added from the chat, by source key ({} when the manifest cannot
        be read: the next refresh says why)."""
        try:
            return self.refresher.added.documents()
        except OSError:
            log.warning("cannot read the documents added from the chat", exc_info=True)
            return {}

    @cached_property
    def retriever(self) -> Retriever:
        # One thread: the judge embeds four short texts per question (see UseEmbedder).
        second = UseEmbedder(threads=1) if self.embedder.identity != UseEmbedder.identity else None
        judge = RelevanceJudge(self.embedder, second, self.config.data_dir / "cache",
                               self.config.relevance_threshold)
        return Retriever(self.store, self.state_file, judge, fusion=self.config.fusion,
                         dictionary=self.dictionary)

    @cached_property
    def dictionary(self) -> Dictionary | None:
        return Dictionary.find(self.config.dictionary, self.config.data_dir / "cache")

    def refresh(self, progress: Progress | None = None) -> RefreshSummary:
        """A refresh, then the dictionary's first read (5 s, once per data dir, kept in the
        cache folder): it belongs to the refresh, not to a question. Only that: what a
        snapshot's questions read in memory would leave with a `policybot refresh`
        process (the warm-up reads it, see Retriever.prepare)."""
        summary = self.refresher.refresh(progress)
        try:
            # A knowledge base with no passages has no question to gloss for; a refresh
            # whose only source failed need not spend the parse before it says so.
            if self.dictionary is not None and summary.passages:
                self.dictionary.lexicon()
        except KnowledgeError as error:  # the refresh is done; questions go without it
            log.warning("after the refresh, the dictionary cannot be used: %s", error)
        return summary
