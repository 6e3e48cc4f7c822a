"""Checking a generated answer's citations instead of trusting them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from knowledge import split_sentences

# [1], [1, 3], [1;3], [1-2] are read; anything else in brackets is left as text.
_MARKER = re.compile(r"\s?\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+")
_RANGE = re.compile(r"^(\d+)\s*[–-]\s*(\d+)$")
NO_ANSWER = "NO_ANSWER"


@dataclass(frozen=True)
class CheckedAnswer:
    text: str  # markers renumbered 1.. in order of first use; unknown ones removed
    cited: tuple[int, ...]  # original passage numbers, in the new numbering's order
    removed: tuple[int, ...]  # numbers the model invented
    declined: bool  # the model said the passages do not answer


def _numbers(group: str) -> list[int]:
    span = _RANGE.match(group.strip())
    if span:
        low, high = int(span.group(1)), int(span.group(2))
        if 0 < high - low < 10:
            return list(range(low, high + 1))
    return [int(n) for n in _NUMBER.findall(group)]


def check_citations(raw: str, passages: int) -> CheckedAnswer:
    """Keep markers that name one of the `passages` given (numbered 1..passages)."""
    text = raw.strip()
    if text.strip(" .").upper() == NO_ANSWER or text.upper().startswith(NO_ANSWER):
        return CheckedAnswer("", (), (), declined=True)
    order: list[int] = []
    removed: list[int] = []

    def rewrite(match: re.Match[str]) -> str:
        kept: list[int] = []
        for number in _numbers(match.group(1)):
            if 1 <= number <= passages:
                if number not in order:
                    order.append(number)
                if order.index(number) + 1 not in kept:
                    kept.append(order.index(number) + 1)
            elif number not in removed:
                removed.append(number)
        return "".join(f" [{n}]" for n in kept)

    checked = _tidy(_MARKER.sub(rewrite, text))
    return CheckedAnswer(checked, tuple(order), tuple(removed), declined=False)


def _tidy(text: str) -> str:
    """Removing a marker can leave "word ." or doubled spaces behind."""
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def keep_markers(raw: str, allowed: set[int]) -> tuple[str, tuple[int, ...]]:
    """The text with only the [n] markers naming an allowed passage (numbers unchanged),
    and the numbers kept in order of first use."""
    kept: list[int] = []

    def rewrite(match: re.Match[str]) -> str:
        numbers = [n for n in dict.fromkeys(_numbers(match.group(1))) if n in allowed]
        kept.extend(n for n in numbers if n not in kept)
        return "".join(f" [{n}]" for n in numbers)

    return _tidy(_MARKER.sub(rewrite, raw.strip())), tuple(kept)


_LEADING_MARKERS = re.compile(r"^(?:\s*\[[\d,;\s–-]+\])+")


def cited_sentences(raw: str, allowed: set[int]) -> tuple[str, tuple[int, ...]]:
    """Only the sentences that carry a marker naming an allowed passage (an uncited
    sentence is the model's word, not the document's), and the numbers kept."""
    sentences: list[str] = []
    for split in split_sentences(" ".join(raw.split())):
        # "... bereitstellen. [1] Der Autor ...": a marker after the full stop is the
        # sentence's before it.
        leading = _LEADING_MARKERS.match(split)
        rest = split
        if leading and sentences:
            sentences[-1] += " " + leading.group(0).strip()
            rest = split[leading.end():]
        if rest.strip():
            sentences.append(rest)
    kept_text: list[str] = []
    kept: list[int] = []
    for sentence in sentences:
        text, cited = keep_markers(sentence, allowed)
        if cited:
            kept_text.append(text)
            kept.extend(n for n in cited if n not in kept)
    return " ".join(kept_text), tuple(kept)


# A quote must be this long to prove anything: "the" is in every passage.
MIN_QUOTE_WORDS = 4
# Dropped before matching, the way passages are normalised (white space folded, words
# hyphenated at a line break joined), so a quote copied from a PDF's lines still matches.
_IGNORED = re.compile(r"[\s\-\u00ad\u2010\u2011]")
_SAME = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'",
                       "’": "'", "‚": "'", "–": "-", "—": "-"})


def _matchable(text: str) -> tuple[str, list[int]]:
    """The text as compared (normalised, case folded), and each kept character's offset
    in the original."""
    kept: list[str] = []
    offsets: list[int] = []
    for offset, char in enumerate(unicodedata.normalize("NFC", text)):
        if _IGNORED.match(char):
            continue
        folded = char.translate(_SAME).casefold()
        kept.append(folded)
        offsets.extend([offset] * len(folded))
    return "".join(kept), offsets


def verified_quote(quote: str, passage: str) -> str | None:
    """The stretch of `passage` that `quote` reproduces, as the passage has it; None when
    the quote is too short or is not in the passage (invented or reworded)."""
    quote = quote.strip().strip("\"'“”„«»").strip()
    if len(quote.split()) < MIN_QUOTE_WORDS:
        return None
    wanted, _ = _matchable(quote)
    passage = unicodedata.normalize("NFC", passage)
    text, offsets = _matchable(passage)
    start = text.find(wanted)
    if not wanted or start < 0:
        return None
    return passage[offsets[start] : offsets[start + len(wanted) - 1] + 1]
