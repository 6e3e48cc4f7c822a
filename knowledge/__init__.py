"""Documents, passages and the vector store behind policybot's answers: the front door.

This package never imports from ``bot``: it knows nothing about chat platforms. ``bot``
imports only the names below, from here. Inside, the floors run bottom up as the flow
does: core < text < reading < passages < sources < index < search < assembly
(tests/test_layers.py holds them to it).

Each name is imported on first use: a floor's own module run alone (the PDF reader's
confined worker process) must not load the whole package and its vector store.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.assembly.adding import Added, AddedBy, AddRefused, Offered, Removed
    from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
    from knowledge.core.atomic_files import write_json_atomically
    from knowledge.core.errors import (
        EmptyKnowledgeBase,
        KnowledgeError,
        RefreshBusy,
        RefreshFailed,
        StoreError,
    )
    from knowledge.index.embedders import DEFAULT_EMBEDDER, validate_embedder_spec
    from knowledge.index.refresh import NoProgress, Progress, RefreshSummary
    from knowledge.index.state import KnowledgeState, scope_reaches
    from knowledge.passages.headings import is_recital
    from knowledge.search.answer_kinds import (
        MIN_STATEMENT_WORDS,
        answer_kind,
        carries,
        defined_term,
        defines,
        definition_clause,
    )
    from knowledge.search.asked import Asked, read_question
    from knowledge.search.comparison import Position, compare
    from knowledge.search.ranking import CITATION_DISTANCE
    from knowledge.search.results import PassageHit, Retrieval
    from knowledge.search.retriever import Retriever
    from knowledge.sources.added import AddedDocument
    from knowledge.text.languages import NAMES, detect
    from knowledge.text.sentences import split_sentences
    from knowledge.text.words import function_words, share_found

# Where each public name lives.
_PUBLIC = {
    "Added": "knowledge.assembly.adding",
    "AddedBy": "knowledge.assembly.adding",
    "AddRefused": "knowledge.assembly.adding",
    "Offered": "knowledge.assembly.adding",
    "Removed": "knowledge.assembly.adding",
    "AddedDocument": "knowledge.sources.added",
    "KnowledgeBase": "knowledge.assembly.knowledge_base",
    "KnowledgeConfig": "knowledge.assembly.knowledge_base",
    "write_json_atomically": "knowledge.core.atomic_files",
    "EmptyKnowledgeBase": "knowledge.core.errors",
    "KnowledgeError": "knowledge.core.errors",
    "RefreshBusy": "knowledge.core.errors",
    "RefreshFailed": "knowledge.core.errors",
    "StoreError": "knowledge.core.errors",
    "DEFAULT_EMBEDDER": "knowledge.index.embedders",
    "validate_embedder_spec": "knowledge.index.embedders",
    "NoProgress": "knowledge.index.refresh",
    "Progress": "knowledge.index.refresh",
    "RefreshSummary": "knowledge.index.refresh",
    "KnowledgeState": "knowledge.index.state",
    "scope_reaches": "knowledge.index.state",
    "is_recital": "knowledge.passages.headings",
    "MIN_STATEMENT_WORDS": "knowledge.search.answer_kinds",
    "answer_kind": "knowledge.search.answer_kinds",
    "carries": "knowledge.search.answer_kinds",
    "defined_term": "knowledge.search.answer_kinds",
    "defines": "knowledge.search.answer_kinds",
    "definition_clause": "knowledge.search.answer_kinds",
    "Asked": "knowledge.search.asked",
    "read_question": "knowledge.search.asked",
    "Position": "knowledge.search.comparison",
    "compare": "knowledge.search.comparison",
    "CITATION_DISTANCE": "knowledge.search.ranking",
    "PassageHit": "knowledge.search.results",
    "Retrieval": "knowledge.search.results",
    "Retriever": "knowledge.search.retriever",
    "NAMES": "knowledge.text.languages",
    "detect": "knowledge.text.languages",
    "function_words": "knowledge.text.words",
    "share_found": "knowledge.text.words",
    "split_sentences": "knowledge.text.sentences",
}

__all__ = [
    "CITATION_DISTANCE",
    "DEFAULT_EMBEDDER",
    "MIN_STATEMENT_WORDS",
    "NAMES",
    "AddRefused",
    "Added",
    "AddedBy",
    "AddedDocument",
    "Asked",
    "EmptyKnowledgeBase",
    "KnowledgeBase",
    "KnowledgeConfig",
    "KnowledgeError",
    "KnowledgeState",
    "NoProgress",
    "Offered",
    "PassageHit",
    "Position",
    "Progress",
    "RefreshBusy",
    "RefreshFailed",
    "RefreshSummary",
    "Removed",
    "Retrieval",
    "Retriever",
    "StoreError",
    "answer_kind",
    "carries",
    "compare",
    "defined_term",
    "defines",
    "definition_clause",
    "detect",
    "function_words",
    "is_recital",
    "read_question",
    "scope_reaches",
    "share_found",
    "split_sentences",
    "validate_embedder_spec",
    "write_json_atomically",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # found once; later look-ups are plain attributes
    return value
