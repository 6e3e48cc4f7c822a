"""Words as every floor reads them: what a word is, the function words, stems, content
words, and how often words stand in texts. Written once here, for passages and search.

Two kinds of stem, for two jobs: a word's Snowball stems (English and German, since a
question's language need not be its passages') tell inflected forms of one word apart
from other words ("Beschäftigten", "Beschäftigte"); a word's beginning (BEGINNING
letters) finds a word inside another language's compound ("Cyberresilienz-Verordnung"
holds "resili" of "Resilience").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import Stemmer

# A letter of any script: neither a digit nor "_".
LETTER = r"[^\W\d_]"
# A word: letters and digits ("Verordnung", "NIS2", "2024"), apart at anything else.
WORD = re.compile(r"[^\W_]+")
# A word of letters only ("Verordnung", "ICT"; "NIS2" is "NIS").
LETTERS = re.compile(LETTER + "+")
# A word long enough to carry content: four letters or more.
LONG_WORD = re.compile(LETTER + "{4,}")
# A word of letters with the compounds a text hyphenates as one ("third-party").
COMPOUND = re.compile(rf"{LETTER}+(?:-{LETTER}+)*")
# A question's tokens: words, a hyphenated compound as one ("IKT-Altsystem"), each mark.
TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*|\S")
_PARTS = re.compile(r"[\s-]+")


def wordset(text: str) -> frozenset[str]:
    """The words of a list written as one string, apart at spaces."""
    return frozenset(text.split())


# ISO 639-1 code -> its frequent function words: the words of grammar, not of a subject.
# knowledge/text/languages.py tells languages apart by them.
FUNCTION_WORDS_OF: dict[str, frozenset[str]] = {
    "en": wordset(
        "the a an is are was were what who whom which why how does do did of to in on for "
        "and or not with about from this that these those he she it they his her their "
        "should would could can will shall must may be by as at"),
    "de": wordset(
        "der die das den dem des ein eine einen einem ist sind war waren was wer wen wem "
        "warum wie wo welche welcher welches und oder nicht mit über von zu im auf für "
        "dass er sie es ihr sein seine sollte würde kann können wird werden muss müssen "
        "darf dürfen bei nach ab wann"),
    "fr": wordset(
        "le la les un une des est sont qui que quoi pourquoi comment où et ou ne pas avec "
        "sur pour dans du de il elle ils elles son sa ses"),
    "es": wordset(
        "el la los las un una es son qué quién por cómo dónde y o no con sobre para en "
        "del de él ella su sus"),
}
FUNCTION_WORDS: frozenset[str] = frozenset().union(*FUNCTION_WORDS_OF.values())


def function_words() -> frozenset[str]:
    """The function words of every language told apart (FUNCTION_WORDS_OF)."""
    return FUNCTION_WORDS


def words(text: str) -> list[str]:
    """A text's words (letters and digits) in lower case, in order."""
    return [word.lower() for word in WORD.findall(text)]


def letter_words(text: str) -> list[str]:
    """A text's words of letters only, in lower case, in order."""
    return [word.lower() for word in LETTERS.findall(text)]


def parts(text: str) -> list[str]:
    """A name's parts in lower case, apart at spaces and hyphens ("KI-Verordnung": "ki",
    "verordnung")."""
    return _PARTS.split(text.lower())


def content_words(text: str, shortest: int = 2) -> set[str]:
    """A text's words (lower case) of `shortest` characters or more, no function word."""
    return {word for word in words(text) if len(word) >= shortest and word not in FUNCTION_WORDS}


_STEMMERS = (Stemmer.Stemmer("english"), Stemmer.Stemmer("german"))


@lru_cache(maxsize=65536)
def stems(word: str) -> tuple[str, ...]:
    """A lower-case word's Snowball stems, English and German (one where they agree)."""
    return tuple({stemmer.stemWord(word) for stemmer in _STEMMERS})


@lru_cache(maxsize=8192)
def content_stems(text: str, shortest: int = 2) -> frozenset[str]:
    """The stems of a text's content words (cached: a passage comes back question after
    question)."""
    return frozenset(stem for word in content_words(text, shortest) for stem in stems(word))


def share_found(text: str, passage: str) -> float:
    """The share of a text's content words whose stem the passage holds (0 for a text of
    none): how much of a claim a passage speaks to."""
    asked = content_words(text)
    if not asked:
        return 0.0
    held = content_stems(passage)
    return sum(1 for word in asked if set(stems(word)) & held) / len(asked)


# A word's beginning as its stem across languages and compounds: six letters ("resili"
# is in "Resilience" and "Cyberresilienz").
BEGINNING = 6


def beginning(word: str, size: int = BEGINNING) -> str:
    return word[:size]


# The ending a word's inflection adds, English or German ("sweeps", "vulnerabilities",
# "Elementen"), taken off a word longer than four letters. What is left begins every form
# of the word, so it can be searched for with the endings after it.
_INFLECTION = re.compile(r"(?:ies|es|s|en|e|n|y)$")


def without_ending(word: str) -> str:
    """The word without its inflection's ending ("sweeps": "sweep", "vulnerabilities":
    "vulnerabilit")."""
    return _INFLECTION.sub("", word) if len(word) > 4 else word


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """How often each lower-case word stands in the texts, a hyphenated compound counted
    as one word ("third-party") beside its parts' other uses."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(word.lower() for word in COMPOUND.findall(text))
    return counts


def texts_per_word(texts: Iterable[str]) -> dict[str, int]:
    """In how many of the texts each lower-case word of letters stands."""
    counts: dict[str, int] = {}
    for text in texts:
        for word in set(LETTERS.findall(text.lower())):
            counts[word] = counts.get(word, 0) + 1
    return counts
