"""Which documents a question names: "the essay", "the Cyber Resilience Act", "DORA",
"die Verordnung" (every regulation), so retrieval can be steered to them.

Names are matched on the documents' own titles, across languages by word stems
("Cyberresilienz-Verordnung" names "Cyber Resilience Act": "cyber" and "resili" both
occur in it), and by genre: a legal act is named by "the regulation"/"die Verordnung",
any other document by "the essay"/"der Autor".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())



_LEGAL_TITLE = re.compile(
    r"\b(?:regulation|directive|act|decision|verordnung|richtlinie|gesetz|beschluss)\b",
    re.IGNORECASE)
_LEGAL_WORDS = _wordset(
    "regulation regulations directive directives act law laws legislation verordnung "
    "verordnungen richtlinie richtlinien gesetz gesetze rechtsakt rechtsakte")
_AUTHORED_WORDS = _wordset(
    "essay essays author authors writer autor autorin autors aufsatz beitrag kommentar "
    "blog")
# Title words that name no document in particular.
_GENERIC = _wordset(
    "the a an of and or for on in to with by from der die das des den dem und oder für "
    "von zu im mit über eu european union europäische europäischen regulation directive "
    "act decision verordnung richtlinie gesetz beschluss no nr parliament council eine ein "
    "is ist")
_STEM = 6  # a title word matches a question word containing its first six letters


@dataclass(frozen=True)
class Named:
    """Documents a question names, specifically (by title) or by genre."""

    specific: frozenset[str]
    genre: frozenset[str]

    @property
    def sources(self) -> frozenset[str]:
        return self.specific or self.genre


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


@lru_cache(maxsize=65_536)
def _distinctive(title: str) -> tuple[frozenset[str], frozenset[str]]:
    """A title's stems worth matching, and its acronyms ("DORA", "CRA"). Cached: every
    search looks at every document's title, and titles change only with a refresh."""
    stems = frozenset(w[:_STEM] for w in _words(title)
                      if len(w) >= 4 and w not in _GENERIC and not w.isdigit())
    acronyms = frozenset(w.lower() for w in _WORD.findall(title)
                         if w.isupper() and 3 <= len(w) <= 6 and w.lower() not in _GENERIC)
    return stems, acronyms


def names_in(question: str, titles: Mapping[str, str]) -> Named:
    """The sources (keys of `titles`) the question names."""
    words = _words(question)
    joined = " ".join(words)
    specific: set[str] = set()
    for source, title in titles.items():
        stems, acronyms = _distinctive(title)
        if acronyms & set(words):
            specific.add(source)
            continue
        hits = sum(any(stem in word for word in words) for stem in stems)
        # Two distinctive words of a title (or all of a short one) name it.
        named = stems and hits >= min(2, len(stems)) and hits * 2 >= len(stems)
        if named or (title and " ".join(_words(title)) in joined):
            specific.add(source)
    return Named(frozenset(specific), _genre(words, titles.items()))


def _genre(words: list[str], titles: Iterable[tuple[str, str]]) -> frozenset[str]:
    legal = any(w in _LEGAL_WORDS for w in words)
    authored = any(w in _AUTHORED_WORDS for w in words)
    chosen = set()
    for source, title in titles:
        is_legal = bool(_LEGAL_TITLE.search(title))
        if (legal and is_legal) or (authored and not is_legal):
            chosen.add(source)
    return frozenset(chosen)
