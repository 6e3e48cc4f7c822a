"""What kind of thing a question asks for, and whether a sentence carries it.

Used to prefer, among a passage's sentences that match a question about equally well, the
one that answers it: "From when does the act apply?" wants the sentence with the date.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["time", "quantity", "demand", ""]

_ASKS: list[tuple[Kind, re.Pattern[str]]] = [
    ("time", re.compile(
        r"\b(?:when|from when|until when|by when|since when|what date|deadline|wann|"
        r"ab wann|bis wann|seit wann|zu welchem zeitpunkt|welchem datum|frist)\b", re.I)),
    ("quantity", re.compile(
        r"\b(?:how (?:many|much|long|often|high|large|big)|within how|what (?:fines?|amount|"
        r"penalt(?:y|ies)|percentage)|wie (?:viele?|lange|oft|hoch|groß)|innerhalb wie|"
        r"welche (?:geldbußen?|strafen?|bußgelder?))\b", re.I)),
    ("demand", re.compile(
        r"\b(?:demands?|calls? for|wants?|recommends?|proposes?|urges?|asks? for|"
        r"fordert|fordern|verlangt|verlangen|empfiehlt|schlägt .* vor)\b", re.I)),
]
_CARRIES: dict[str, re.Pattern[str]] = {
    "time": re.compile(
        r"\b\d{1,2}\.? (?:January|February|March|April|May|June|July|August|September|"
        r"October|November|December|Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember)"
        # A year, but not an act's number ("Regulation (EU) 2019/1020", "2009/48/EC").
        r"\b|(?<!/)\b(?:19|20)\d{2}\b(?!/\d)", re.I),
    # An amount, a duration or a frequency; not any digit ("Article 16(1)" is none).
    "quantity": re.compile(
        r"\b(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
        r"zwei|drei|vier|fünf|sechs|zehn|zwölf)\s*(?:%|per ?cent|hours?|days?|weeks?|"
        r"months?|years?|times|Stunden|Tagen?|Wochen|Monaten?|Jahren?|Prozent|Mal)(?!\w)"
        r"|\b(?:EUR|€)\s?\d|\d\s?(?:EUR|€)|\b(?:once|twice|yearly|annually|at least every|"
        r"einmal|zweimal|jährlich|mindestens alle)\b", re.I),
    "demand": re.compile(
        r"\b(?:must|need|needs|should|shall|have to|requires?|muss|müssen|brauchen|braucht|"
        r"sollte|sollten|fordern|erforderlich|notwendig)\b", re.I),
}


def answer_kind(question: str) -> Kind:
    for kind, pattern in _ASKS:
        if pattern.search(question):
            return kind
    return ""


# A statement this short carries no content of its own ("Die Politik muss aufwachen.").
MIN_STATEMENT_WORDS = 6


def carries(sentence: str, kind: Kind) -> bool:
    return (bool(kind) and len(sentence.split()) >= MIN_STATEMENT_WORDS
            and bool(_CARRIES[kind].search(sentence)))
