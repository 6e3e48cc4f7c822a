"""How a line ends or begins: a sentence's end, a list item's end, a new numbered unit."""

from __future__ import annotations

import re

ENDS_SENTENCE = re.compile(r"[.!?:;…][\"'”“»«)\]]*$")
_LIST_END = re.compile(r"(?:,|;|\b(?:and|or|und|oder))$")
# End-anchored patterns are matched against a text's tail only: searched over a whole
# paragraph at each joined line they made a 2 MB one-paragraph page quadratic (seconds
# per megabyte).
TAIL = 32


def ends_sentence(text: str) -> bool:
    return bool(ENDS_SENTENCE.search(text[-TAIL:]))


def ends_list_item(text: str) -> bool:
    return bool(_LIST_END.search(text[-TAIL:]))
# A paragraph starts anew at a numbered paragraph or a lettered point ("(a)", German "a)").
STARTS_UNIT = re.compile(
    r"(?:\*\*\d{1,3}\.\*\*|\d{1,3}\.\s+\S|-\s+\(|\((?:[a-z]{1,2}|[ivxlc]{1,6}|\d{1,3})\)\s"
    r"|[a-z]{1,2}\)\s)"
)


def reads_as_sentence(text: str) -> bool:
    # "R. METSOLA ZSIGMOND B. P." ends in a full stop, but only names and initials do.
    return ends_sentence(text) and bool(re.search(r"\b[a-zäöüß]{4,}\b", text))
