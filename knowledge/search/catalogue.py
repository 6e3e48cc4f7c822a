"""What a search needs to know of the documents themselves, read once per snapshot of the
knowledge base: their languages and titles, each language's passages by the terms they
define and the provisions they belong to, and how the documents word things."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from knowledge.index.state import KnowledgeState
from knowledge.index.store import VectorStore, language_slug
from knowledge.search.glossary import Glossary
from knowledge.search.mentions import Mentions
from knowledge.search.naming import Titles
from knowledge.search.references import Provisions
from knowledge.text.words import texts_per_word


@dataclass(frozen=True)
class Wording:
    """The English passages' words (in how many passages each stands), the German ones',
    and the acronyms every passage, heading and title writes."""

    english: dict[str, int]
    german: dict[str, int]  # the German passages' words, likewise
    mentions: Mentions


@dataclass(frozen=True)
class Catalogue:
    """One language's passages by the terms they define and the provisions they belong
    to: both from one read."""

    glossary: Glossary
    provisions: Provisions


# A passage's id and metadata, as a full read of a language's passages returns them.
Row = tuple[str, dict[str, Any]]
T = TypeVar("T")


class _PerState(Generic[T]):
    """Values kept per knowledge-state object (a snapshot, or a scoped view of one: see
    KnowledgeState.visible), the latest few, found by identity."""

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self._kept: list[tuple[KnowledgeState, T]] = []

    def get(self, state: KnowledgeState) -> T | None:
        return next((value for kept, value in self._kept if kept is state), None)

    def put(self, state: KnowledgeState, value: T) -> T:
        others = [(kept, v) for kept, v in self._kept if kept is not state]
        self._kept = [*others[len(others) - self.keep + 1:], (state, value)]
        return value


class Catalogues:
    """Each kept per snapshot (and per scoped view of it): reading every document's title
    and language again cost 46 ms a question at 2,000 documents. The passages are read
    once per snapshot; a view filters that read."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store
        self._known: _PerState[tuple[list[str], Titles]] = _PerState()
        self._catalogues: _PerState[dict[str, Catalogue]] = _PerState()
        self._wording: _PerState[tuple[Mapping[str, list[str]], Wording]] = _PerState()
        self._read: _PerState[dict[str, list[Row]]] = _PerState(keep=2)

    def documents(self, state: KnowledgeState) -> tuple[list[str], Titles]:
        """The passage languages the knowledge base holds (as stored: codes for the
        languages told apart, see knowledge/text/languages.py) and the documents' titles."""
        known = self._known.get(state)
        if known is None:
            languages = sorted({language_slug(language) for entry in state.documents.values()
                                for language in entry.languages})
            titles = Titles({key: entry.title for key, entry in state.documents.items()})
            known = self._known.put(state, (languages, titles))
        return known

    def rows(self, state: KnowledgeState, language: str) -> list[Row]:
        """One language's live passages: their ids and metadata (one read of every
        passage per snapshot; a scoped view keeps the rows of its documents)."""
        base = state.base
        live = state.live_versions
        if not base.has_scopes:
            # No views to serve: the read is used once and let go (at 100k passages it
            # holds every passage's text).
            return [(record_id, meta) for record_id, meta
                    in self.store.passage_metadata(base.collection, language)
                    if meta.get("doc_version") in live]
        read = self._read.get(base)
        if read is None:
            read = self._read.put(base, {})
        if language not in read:
            read[language] = list(self.store.passage_metadata(base.collection, language))
        return [(record_id, meta) for record_id, meta in read[language]
                if meta.get("doc_version") in live]

    def catalogue(self, state: KnowledgeState, language: str,
                  rows: list[Row] | None = None) -> Catalogue:
        """What one language's passages say of themselves, read once per snapshot (0.5 s
        at 5k passages; `rows`: read already)."""
        catalogues = self._catalogues.get(state)
        if catalogues is None:
            catalogues = self._catalogues.put(state, {})
        if language not in catalogues:
            rows = self.rows(state, language) if rows is None else rows
            catalogues[language] = Catalogue(
                Glossary((record_id, str(meta.get("text", ""))) for record_id, meta in rows),
                Provisions((record_id, str(meta.get("source", "")),
                            str(meta.get("section", "")), int(meta.get("paragraph", 0)))
                           for record_id, meta in rows))
        return catalogues[language]

    def wording(self, state: KnowledgeState, expansions: Mapping[str, list[str]],
                rows: dict[str, list[Row]] | None = None) -> Wording:
        """How the documents word things, read once per snapshot (one read of every
        passage; `rows`: read already, per language). `expansions`: what acronyms stand
        for (the dictionary's; see Mentions)."""
        kept = self._wording.get(state)
        if kept is None or kept[0] is not expansions:
            english: list[str] = []
            german: list[str] = []
            texts: list[str] = []
            for language in self.documents(state)[0]:
                read = rows[language] if rows is not None else self.rows(state, language)
                for _, meta in read:
                    text = str(meta.get("text", ""))
                    texts.append(f"{meta.get('section', '')} {text}")
                    if language == "en":
                        english.append(text)
                    elif language == "de":
                        german.append(text)
            titles = [entry.title for entry in state.documents.values()]
            kept = self._wording.put(state, (expansions, Wording(
                texts_per_word(english), texts_per_word(german),
                Mentions([*texts, *titles], self.documents(state)[1].acronyms(),
                         expansions))))
        return kept[1]

    def prepare(self, state: KnowledgeState, expansions: Mapping[str, list[str]]) -> None:
        """Every language's catalogue and the documents' wording, from one read of every
        passage."""
        if state.collection and state.documents:
            rows = {language: self.rows(state, language)
                    for language in self.documents(state)[0]}
            for language, read in rows.items():
                self.catalogue(state, language, read)
            self.wording(state, expansions, rows)
