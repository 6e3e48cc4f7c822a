"""Which language a question is in, so the answer can be written in it."""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Frequent function words; enough to tell apart the languages a policy team asks in.
_MARKERS: dict[str, frozenset[str]] = {
    "English": _words(
        "the a an is are was were what who whom which why how does do did of to in on for "
        "and or not with about from this that these those he she it they his her their "
        "should would could can will"),
    "German": _words(
        "der die das den dem des ein eine einen einem ist sind war waren was wer wen wem "
        "warum wie wo welche welcher welches und oder nicht mit über von zu im auf für "
        "dass er sie es ihr sein seine sollte würde kann können wird werden"),
    "French": _words(
        "le la les un une des est sont qui que quoi pourquoi comment où et ou ne pas avec "
        "sur pour dans du de il elle ils elles son sa ses"),
    "Spanish": _words(
        "el la los las un una es son qué quién por cómo dónde y o no con sobre para en "
        "del de él ella su sus"),
}
_WORD = re.compile(r"[^\W\d_]+")


def question_language(text: str, default: str = "English") -> str:
    """The language whose function words the question uses most; `default` on a tie."""
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {name: sum(w in markers for w in words) for name, markers in _MARKERS.items()}
    best = max(scores.values(), default=0)
    if best == 0 or scores.get(default, 0) == best:
        return default
    return max(scores, key=lambda name: scores[name])
