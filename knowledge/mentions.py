"""Names a question uses that no document writes: "the GDPR", "NIS2", "an H100".

Asked "What is the maximum fine under the GDPR?", a knowledge base of the Cyber
Resilience Act and DORA holds fines aplenty, and e5 finds them as close as the answer to
any real question; the relevance judge cannot tell (dev corpus: the close off-topic
questions were the ones answered). An acronym is a name, though, and acts, authorities
and products are named by acronyms: one that no passage, heading or title holds is a
thing the documents do not speak of, and saying so is the answer. Names of two letters are
left to the judge.

Known: an acronym any passage, heading or title writes ("NIS 2" writes "NIS2"), the
initials of a title ("CRA"), and the German and English forms of the same one ("IKT" is
"ICT", knowledge/lexicon.py). Roman numerals are numbers ("Basel III", "Annex II").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.lexicon import ACRONYMS

# Two letters name too many things, and differently in each language: XQuAD's English
# questions say "UK" where its German paragraphs say "Großbritannien" (5 of 632 refused).
MIN_LENGTH = 3
# Words that may be acronyms, not parts of words ("US-Cloud-Anbieter" holds "US"); found
# by one expression, since reading every word of 10,000 passages took 4 s.
_CANDIDATE = re.compile(r"\b[A-ZÄÖÜ][A-ZÄÖÜ\d]+s?\b")
_ROMAN = re.compile(r"[IVXLCDM]+")
# "NIS 2", "Basel 3": an acronym and a short number apart are one name.
_NUMBERED = re.compile(r"\b([A-ZÄÖÜ]{2,})[ \u00a0](\d{1,2})\b")
_SAME = {**ACRONYMS, **{english.lower(): german.upper() for german, english
                        in ACRONYMS.items()}}


def is_acronym(word: str) -> bool:
    """Capitals and digits, a plural "s" allowed: two capitals at least ("EU", "ESAs"), or
    a capital and digits ("H100", "NIS2")."""
    core = word[:-1] if word.endswith("s") and len(word) > 2 else word
    if not core[:1].isupper() or not all(c.isupper() or c.isdigit() for c in core):
        return False
    letters = sum(c.isalpha() for c in core)
    return letters >= 2 or len(core) >= 3


def acronyms(text: str) -> set[str]:
    """The acronyms a text writes, as written (a plural "s" kept: "ESAs")."""
    found = {token for token in _CANDIDATE.findall(text) if is_acronym(token)}
    found |= {name + number for name, number in _NUMBERED.findall(text)}
    return found


class Mentions:
    """The acronyms a knowledge base's documents write, gathered from one read."""

    def __init__(self, texts: Iterable[str], titles: Iterable[str] = ()) -> None:
        self._known: set[str] = set()
        for text in texts:
            self._known |= acronyms(text)
        self._known |= {name.upper() for name in titles}
        self._known |= {name.removesuffix("s") for name in self._known}

    def knows(self, name: str) -> bool:
        bare = name.removesuffix("s") if len(name) > 2 else name
        return any(form in self._known
                   for form in (name, bare, _SAME.get(bare.lower(), "").upper()))

    def unknown(self, question: str) -> list[str]:
        """The acronyms of the question no document writes, in the question's order."""
        return [name for name in acronyms_named(question) if not self.knows(name)]


def acronyms_named(question: str) -> list[str]:
    """The acronyms a question names that could be unknown: long enough, no Roman
    numeral. Most questions name none, and are then not checked at all."""
    asked = [token for token in _CANDIDATE.findall(question) if is_acronym(token)]
    asked += [name + number for name, number in _NUMBERED.findall(question)]
    return list(dict.fromkeys(name for name in asked
                              if len(name.removesuffix("s")) >= MIN_LENGTH
                              and not _ROMAN.fullmatch(name)))
