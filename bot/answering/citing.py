"""Checking a generated answer's citations instead of trusting them."""

from __future__ import annotations

import re
from dataclasses import dataclass

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

    checked = _MARKER.sub(rewrite, text)
    # Removing a marker can leave "word ." or doubled spaces behind.
    checked = re.sub(r"[ \t]+([.,;:!?])", r"\1", checked)
    checked = re.sub(r"[ \t]{2,}", " ", checked).strip()
    return CheckedAnswer(checked, tuple(order), tuple(removed), declined=False)
