"""Which documents a question names: "the essay", "the Cyber Resilience Act", "DORA",
"die Verordnung" (every regulation), so retrieval can be steered to them.

Names are matched on the documents' own titles, across languages by word stems
("Cyberresilienz-Verordnung" names "Cyber Resilience Act": "cyber" and "resili" both
occur in it), and by genre: a legal act is named by "the regulation"/"die Verordnung",
any other document by "the essay"/"der Autor".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.text.legal_words import (
    ACTS,
    GENRE_WORDS,
    INSTITUTIONS,
    UNION_WORDS,
    alternatives,
)
from knowledge.text.words import BEGINNING, FUNCTION_WORDS, WORD, beginning, words, wordset

_LEGAL_TITLE = re.compile(rf"\b{alternatives(ACTS)}\b", re.IGNORECASE)
_AUTHORED_WORDS = wordset(
    "essay essays author authors writer autor autorin autors aufsatz beitrag kommentar "
    "blog")
# Title words that name no document in particular: function words, the kind of act, who
# adopted it, "EU", and the "No" before a number.
_GENERIC = FUNCTION_WORDS | frozenset(ACTS) | frozenset(INSTITUTIONS) | UNION_WORDS | wordset(
    "no nr")
# An act's number as the journal prints it ("2024/2847", "(EU) No 910/2014"); a title names
# its own act first, then the acts it amends.
_ACT_NUMBER = re.compile(r"\b(?:\d{4}/\d{1,4}|\d{1,4}/\d{4})\b")
# "Cyber Resilience Act" is asked about as "the CRA": the initials of a run of capitalised
# words (not of an all-capitals title, whose initials are no one's name).
_CAPITALISED_RUN = re.compile(r"(?:\b[A-ZÄÖÜ][a-zäöüß]+(?:-[A-Za-zäöüß]+)?\b[ \t]+){1,5}"
                              r"[A-ZÄÖÜ][a-zäöüß]+\b")


def title_acronyms(title: str) -> set[str]:
    """The acronyms a title is known by: those it writes, and the initials of its runs of
    capitalised words and of their parts of three words or more ("Mozilla Public License
    Version 2.0" is the MPL). An all-capitals title ("GNU GENERAL PUBLIC LICENSE") writes
    no acronym: its words are read as capitalised ones (the GPL), not as "PUBLIC"."""
    named = [word for word in WORD.findall(title) if word[0].isalpha()]
    shouting = len(named) > 1 and 2 * sum(word.isupper() for word in named) > len(named)
    found = set() if shouting else {word for word in named if word.isupper()}
    for run in _CAPITALISED_RUN.findall(title.title() if shouting else title):
        initials = [word[0] for word in run.split()]
        found.add("".join(initials))
        found |= {"".join(initials[start:end]) for start in range(len(initials))
                  for end in range(start + 3, len(initials) + 1)}
    return found


@dataclass(frozen=True)
class Named:
    """Documents a question names, specifically (by title) or by genre."""

    specific: frozenset[str]
    genre: frozenset[str]
    # The question names an act by number that is none of the knowledge base's ("Article
    # 14 of Directive (EU) 2022/2555"): what it cites is not ours to look up.
    foreign: bool = False

    @property
    def sources(self) -> frozenset[str]:
        return self.specific or self.genre


def _pieces(asked: list[str]) -> set[str]:
    """Every piece of the words as long as a title word's beginning can be (4 to
    BEGINNING letters): a beginning is in a word exactly when it is among its pieces."""
    return {word[start:start + size] for word in asked for size in range(4, BEGINNING + 1)
            for start in range(len(word) - size + 1)}


class Titles:
    """The documents' titles, indexed once per knowledge-base snapshot: a question is then
    matched by looking up its own words, not by reading every title again (2,000
    documents' titles took 38 ms a question)."""

    def acronyms(self) -> set[str]:
        """The acronyms the titles are known by: written in them, or their initials."""
        return {acronym.upper() for acronym in self._by_acronym}

    def __init__(self, titles: Mapping[str, str]) -> None:
        self._by_stem: dict[str, set[str]] = {}
        self._by_acronym: dict[str, set[str]] = {}
        self._by_number: dict[str, set[str]] = {}
        self._needed: dict[str, int] = {}
        self._stemless: dict[str, str] = {}  # titles with no distinctive word: whole title
        self._legal: set[str] = set()
        self._authored: set[str] = set()
        for source, title in titles.items():
            # A title word matches a question word that holds its beginning.
            title_words = words(title)
            stems = {beginning(w) for w in title_words
                     if len(w) >= 4 and w not in _GENERIC and not w.isdigit()}
            for stem in stems:
                self._by_stem.setdefault(stem, set()).add(source)
            for word in title_acronyms(title):
                if 3 <= len(word) <= 6 and word.lower() not in _GENERIC:
                    self._by_acronym.setdefault(word.lower(), set()).add(source)
            number = _ACT_NUMBER.search(title)
            if number:
                self._by_number.setdefault(number.group(), set()).add(source)
            if stems:
                # Two distinctive words of a title (or all of a short one) name it.
                self._needed[source] = max(min(2, len(stems)), (len(stems) + 1) // 2)
            elif title_words:
                self._stemless[source] = " ".join(title_words)
            (self._legal if _LEGAL_TITLE.search(title) else self._authored).add(source)

    def named_in(self, question: str) -> Named:
        """The sources the question names."""
        asked = words(question)
        specific: set[str] = set()
        for word in set(asked):
            specific |= self._by_acronym.get(word, set())
        numbers = set(_ACT_NUMBER.findall(question))
        for number in numbers:
            specific |= self._by_number.get(number, set())
        foreign = any(number not in self._by_number for number in numbers)
        hits: Counter[str] = Counter()
        for piece in _pieces(asked):
            hits.update(self._by_stem.get(piece, ()))
        specific |= {source for source, count in hits.items()
                     if count >= self._needed[source]}
        joined = " ".join(asked)
        specific |= {source for source, title in self._stemless.items() if title in joined}
        genre: set[str] = set()
        if any(w in GENRE_WORDS for w in asked):
            genre |= self._legal
        if any(w in _AUTHORED_WORDS for w in asked):
            genre |= self._authored
        return Named(frozenset(specific), frozenset(genre), foreign)
