"""Which language a text is in, told by its function words.

Enough to tell apart the languages a policy team works in; a question and a passage are
both judged this way, so that retrieval can calibrate per passage language.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 639-1 code -> frequent function words.
_MARKERS: dict[str, frozenset[str]] = {
    "en": _words(
        "the a an is are was were what who whom which why how does do did of to in on for "
        "and or not with about from this that these those he she it they his her their "
        "should would could can will shall must may be by as at"),
    "de": _words(
        "der die das den dem des ein eine einen einem ist sind war waren was wer wen wem "
        "warum wie wo welche welcher welches und oder nicht mit über von zu im auf für "
        "dass er sie es ihr sein seine sollte würde kann können wird werden muss müssen "
        "darf dürfen bei nach ab wann"),
    "fr": _words(
        "le la les un une des est sont qui que quoi pourquoi comment où et ou ne pas avec "
        "sur pour dans du de il elle ils elles son sa ses"),
    "es": _words(
        "el la los las un una es son qué quién por cómo dónde y o no con sobre para en "
        "del de él ella su sus"),
}
NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}
_WORD = re.compile(r"[^\W\d_]+")
# A document is judged by its first words: enough, and linear in nothing but that.
_SAMPLE_CHARS = 20_000


def function_words() -> frozenset[str]:
    """The function words of every language told apart here."""
    return frozenset().union(*_MARKERS.values())


def _scores(text: str) -> dict[str, int]:
    """How many of each language's function words the text's opening uses."""
    words = [w.lower() for w in _WORD.findall(text[:_SAMPLE_CHARS])]
    return {code: sum(w in markers for w in words) for code, markers in _MARKERS.items()}


def detect(text: str, default: str = "en") -> str:
    """The language whose function words the text uses most; `default` on a tie."""
    scores = _scores(text)
    best = max(scores.values(), default=0)
    if best == 0 or scores.get(default, 0) == best:
        return default
    return max(scores, key=lambda code: scores[code])


def evident(text: str) -> str:
    """The language whose function words the text uses strictly more than any other's;
    "" where none does ("Was bedeutet ...?": "was" is English and German alike)."""
    ranked = sorted(((score, code) for code, score in _scores(text).items()), reverse=True)
    if not ranked or ranked[0][0] == 0 or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return ""
    return ranked[0][1]


# A passage is in another language than its document only where that language's
# function words are this many at least, and twice as many as the document language's.
MIN_PASSAGE_EVIDENCE = 5


def passage_language(text: str, document_language: str) -> str:
    """The language a passage is written in: its document's, unless the passage is
    evidently in another one (a German manual's untranslated English paragraphs, an
    English abstract in a German report). Searched and calibrated as the document's
    language, such a paragraph took English questions from the German passages that
    answer them: English wording scores higher against an English question, and the
    German background the calibration subtracts scores lower."""
    scores = _scores(text)
    best = max(scores, key=lambda code: scores[code])
    own = scores.get(document_language, 0)
    if best != document_language and scores[best] >= max(MIN_PASSAGE_EVIDENCE, 2 * own):
        return best
    return document_language


def code_of(language: str) -> str:
    """A manifest's language ("de", "German", "de-AT") as a code; "" when unknown."""
    value = language.strip().lower()
    for code, name in NAMES.items():
        if value == name.lower() or value.split("-")[0].split("_")[0] == code:
            return code
    return value[:2] if value else ""
