"""Which language a text is in, told by its function words.

Enough to tell apart the languages a policy team works in; a question and a passage are
both judged this way, so that retrieval can calibrate per passage language.
"""

from __future__ import annotations

from knowledge.text.words import FUNCTION_WORDS_OF, letter_words

NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}
# A document is judged by its first words: enough, and linear in nothing but that.
_SAMPLE_CHARS = 20_000


def _scores(text: str) -> dict[str, int]:
    """How many of each language's function words the text's opening uses."""
    words = letter_words(text[:_SAMPLE_CHARS])
    return {code: sum(w in markers for w in words) for code, markers in FUNCTION_WORDS_OF.items()}


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
