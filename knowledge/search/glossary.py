"""Where a knowledge base defines its terms: "'support period' means ...", "... control
actions (sweeps)".

A question asking what a term means wants the definition, and the definition is one
passage among hundreds that use the term, rarely the nearest. Chroma can filter by a
regular expression, but it reads every document to do so (120 ms per language at 5k
passages, measured); the glossary reads the passages once per knowledge-base snapshot
and then answers from memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.search.answer_kinds import CLOSING_QUOTE, FORMAL_VERB, OPENING_QUOTE, term_key

_FORMAL = re.compile(
    OPENING_QUOTE + r"([^‘'\"„“»«’”;:.()]{2,80}?)" + CLOSING_QUOTE + FORMAL_VERB, re.I)
# "... coordinated control actions (sweeps)": a name given in brackets; enumerators
# ("(a)", "(iv)", "(12)") and references hold no three letters in a row.
_BRACKETED = re.compile(r"\(\s*[‘'\"„“]?([^\W\d_]{3,}[^()]{0,60}?)[’'\"“”]?\s*\)")


def defined_terms(text: str) -> set[str]:
    """The terms a text defines or names in brackets, as lookup keys."""
    return set(_defined(text))


def _defined(text: str) -> dict[str, str]:
    """The terms a text defines or names in brackets: their keys, each with its wording."""
    found = [*_FORMAL.findall(text),
             *(match for match in _BRACKETED.findall(text) if len(match.split()) <= 4)]
    return {key: term.strip() for term in found if (key := term_key(term))}


class Glossary:
    """Passage ids by the terms they define."""

    def __init__(self, passages: Iterable[tuple[str, str]]) -> None:
        self._defining: dict[str, list[str]] = {}
        self._wording: dict[str, str] = {}
        for passage_id, text in passages:
            for key, wording in _defined(text).items():
                self._defining.setdefault(key, []).append(passage_id)
                self._wording.setdefault(key, wording)

    def defining(self, term: str) -> list[str]:
        return list(self._defining.get(term_key(term), ()))

    def terms(self) -> list[str]:
        """Every term defined, as first worded, in a stable order."""
        return [self._wording[key] for key in sorted(self._wording)]
