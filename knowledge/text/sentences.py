"""Sentence boundaries in English and German text, abbreviations and ordinals respected."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "z.b", "d.h", "u.a", "bzw", "ca", "vgl", "usw", "etc", "e.g", "i.e", "vs", "dr",
    "mr", "mrs", "ms", "prof", "nr", "s", "st", "abs", "art", "ggf", "inkl", "evtl",
    "u.s", "no", "nos", "fig", "jr", "sr", "bspw", "sog", "z", "d", "u", "p", "pp", "para",
    "cf", "lit", "op", "cit", "ff", "ibid", "chap", "sec", "ziff", "buchst",
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”“»«)\]]*\s+(?=[\"„“»«(\[]?[A-ZÄÖÜ0-9])")


def split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].strip()
        last_word = candidate.rsplit(" ", 1)[-1].strip("([\"„“»«").rstrip(".").lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"\d{1,2}", last_word):
            continue  # "z.B. Medizintechnik", "am 3. Mai": not a sentence end
        if candidate:
            pieces.append(candidate)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        pieces.append(rest)
    return pieces
