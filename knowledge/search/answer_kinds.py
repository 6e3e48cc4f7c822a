"""What kind of thing a question asks for, and whether a sentence carries it.

Used to prefer, among a passage's sentences that match a question about equally well, the
one that answers it: "From when does the act apply?" wants the sentence with the date.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Literal

from knowledge.text.legal_words import MONTH
from knowledge.text.sentences import split_sentences
from knowledge.text.words import content_stems, without_ending

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
        r"\b\d{1,2}\.? " + MONTH +
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


# Things a question may ask for that only a passage holding one can answer: a person's
# name ("Who is the current president of the BSI?"), a sum of money ("What is the BSI's
# annual budget?", "Wie hoch ist das Gehalt ..."), a share ("What percentage of ..."), a
# head count ("How many employees ...").
# A passage about the office, the agency or a coercive fine answers none of them, however
# near its words are (issue: refusal that knows what was asked for).
Held = Literal["person", "money", "share", "count", ""]
_HELD_ASKS: list[tuple[Held, re.Pattern[str]]] = [
    ("person", re.compile(
        r"\b(?:who\s+(?:is|was|are)\s+(?:the\s+)?(?:current|currently|present|new|acting)\b"
        r"|who\s+(?:heads|leads|runs|chairs|directs)\b|(?:what\s+is\s+the\s+)?name\s+of\s+the\s+"
        r"(?:current\s+)?(?:president|director|head|chair|minister|commissioner|ceo)"
        r"|wer\s+(?:ist|war)\s+(?:der|die)\s+(?:aktuelle|derzeitige|jetzige|neue)"
        r"|wer\s+(?:ist|war)\s+(?:derzeit|aktuell|zurzeit|heute|momentan)"
        r"|wer\s+(?:leitet|führt|führt\s+derzeit)\s|wie\s+heißt\s+(?:der|die)\s+"
        r"(?:aktuelle\s+|derzeitige\s+)?(?:präsident|leiter|chef|vorsitzende|ministerin?))",
        re.I)),
    # A sum asked for: "how much" and the like, and a word for money in the same question
    # ("Who pays the costs?" asks for a party, not a sum).
    ("money", re.compile(
        r"^(?=.*\b(?:how\s+(?:much|high|large|big)|what\s+(?:is|was|are|were)\b|"
        r"wie\s+(?:hoch|viel|groß)|was\s+(?:ist|sind|verdient|kostet)|welche[nrs]?\b))"
        r"(?=.*\b(?:budget|salary|salaries|earn|earns|wages?|costs?|spending|revenue|"
        r"turnover|funding|haushalt|budgets?|etat|gehalts?|gehälter|verdien\w*|kosten|"
        r"ausgaben|umsatz|finanzierung)\b)", re.I | re.S)),
    # A head count: "How many employees does the BSI have?".
    ("count", re.compile(
        r"\b(?:how\s+many|wie\s+viele)\s+(?:\w+\s+){0,2}(?:employees|staff|people|members|"
        r"officials|mitarbeiter\w*|beschäftigte\w*|mitglieder\w*|abgeordnete\w*|"
        r"personen)\b", re.I)),
    ("share", re.compile(
        r"\b(?:what\s+(?:percentage|share|proportion)|how\s+many\s+percent|per\s*cent\s+of|"
        r"wie\s+viel\s+prozent|wie\s+viele\s+prozent|welcher\s+anteil|wie\s+hoch\s+ist\s+der\s+"
        r"anteil)\b", re.I)),
]
_HOLDS: dict[str, re.Pattern[str]] = {
    # A name as documents print one: with an honorific, or an initial and a surname.
    "person": re.compile(r"\b(?:Dr|Prof|Mr|Mrs|Ms|Herr|Frau)\.?\s+[A-ZÄÖÜ][\w-]+"
                         r"|\b[A-ZÄÖÜ]\.\s+[A-ZÄÖÜ][A-Za-zäöüß-]{2,}"),
    "money": re.compile(r"(?:EUR|€|\$|USD|Euro|euro)\s?\d|\d[\d.,]*\s?(?:EUR|€|Euro|euro|"
                        r"USD|dollars?|Millionen|Milliarden|million|billion)\b"),
    "share": re.compile(r"\d\s?(?:%|per\s?cent|Prozent)", re.I),
    # A number of people: "composed of 27 members", "mit 1 500 Beschäftigten".
    "count": re.compile(
        r"\b\d[\d.,\u00a0 ]*\s+(?:\w+\s+){0,2}(?:employees|staff|people|members|officials|"
        r"Mitarbeiter\w*|Beschäftigte\w*|Mitglieder\w*|Abgeordnete\w*|Personen)\b", re.I),
}


def held_kind(question: str) -> Held:
    """What the question asks for that only a passage holding one answers ("" if none)."""
    return next((kind for kind, pattern in _HELD_ASKS if pattern.search(question)), "")


def holds(text: str, kind: Held, subject: AbstractSet[str] = frozenset()) -> bool:
    """Whether the text holds the kind of thing asked for; with `subject` (stems of the
    question's words), in a sentence that shares one of them: "30 Beschäftigte" of a
    municipal office is no head count of the European Parliament."""
    if not kind:
        return True
    if not subject:
        return bool(_HOLDS[kind].search(text))
    return any(_HOLDS[kind].search(sentence) and not subject.isdisjoint(subject_stems(sentence))
               for sentence in split_sentences(text))


# Words shorter than this say nothing of what a text is about ("hat", "Die").
SUBJECT_WORD = 4


def subject_stems(text: str) -> frozenset[str]:
    """The stems of a text's content words of SUBJECT_WORD letters or more, for telling
    whether two texts speak of the same thing ("Beschäftigten", "Beschäftigte")."""
    return content_stems(text, SUBJECT_WORD)


def answer_kind(question: str) -> Kind:
    return next((kind for kind, pattern in _ASKS if pattern.search(question)), "")


# A statement this short carries no content of its own ("Die Politik muss aufwachen.").
MIN_STATEMENT_WORDS = 6


def carries(sentence: str, kind: Kind) -> bool:
    return (bool(kind) and len(sentence.split()) >= MIN_STATEMENT_WORDS
            and bool(_CARRIES[kind].search(sentence)))


# "What are sweeps under the Cyber Resilience Act?" asks what a term means: the answer is
# the sentence that defines it, in a regulation "... coordinated control actions
# (sweeps)" or "'support period' means ...", not the one that uses it most.
_DEFINITION_ASKS = re.compile(
    r"^\s*(?:what\s+(?:is|are)\s+(?:meant\s+by\s+)?|define\s+|"
    r"what\s+does\s+(?=.*\bmean\b)|was\s+(?:ist|sind)\s+(?:mit\s+)?|was\s+bedeutet\s+|"
    r"was\s+versteht\s+man\s+unter\s+)(?P<rest>[^?]+)\?*\s*$", re.I)
_ARTICLES = re.compile(
    r"^(?:an?|the|ein|eine|einen|einem|einer|der|die|das|den|dem)\s+(?:term\s+|begriff\s+)?",
    re.I)
# Where the term ends: "sweeps | under the Cyber Resilience Act", "'X' | mean".
_QUALIFIER = re.compile(
    r"\s+(?:under|in|within|according\s+to|for\s+the\s+purposes?\s+of|mean|im\s+sinne|"
    r"nach|gemäß|laut|im|in|gemeint|genau)\b.*$", re.I)
MAX_TERM_WORDS = 4


def defined_term(question: str) -> str:
    """The term a question asks the meaning of ("" when it asks something else)."""
    match = _DEFINITION_ASKS.match(question)
    if not match:
        return ""
    rest = _QUALIFIER.sub("", match["rest"].strip())
    term = _ARTICLES.sub("", rest).strip(" \"'‘’“”„»«")
    words = term.split()
    if not words or len(words) > MAX_TERM_WORDS or len(term) < 3:
        return ""
    return term


# A formal definition: the term in quotes, then "means" ("'sweep' means ..."); German
# lists give the term, then what it is ("1. „Händler“ jede Person ...", "„Produkt mit
# digitalen Elementen“ ein Software- oder Hardwareprodukt ...").
OPENING_QUOTE = "[‘'\"„“»«]"
CLOSING_QUOTE = "[’'\"“”«»]"
FORMAL_VERB = r"\s+(?:means?|shall\s+mean|bezeichnet|jede[rs]?|eine?n?)\b"
# Where a German list's next definition begins: ", 2. „Schwachstelle“".
_NEXT_DEFINITION = re.compile(r",\s+\d{1,3}\.\s+" + OPENING_QUOTE)


def term_key(term: str) -> str:
    """A term as looked up: lower case, each longer word without its inflection's ending
    ("Sweeps" and "sweep", "vulnerabilities" and "vulnerability" are one key)."""
    return " ".join(without_ending(word) for word in term.lower().split())


def _term_words(term: str) -> str:
    # Each word's stem with any inflection's ending: "sweeps" finds "(sweeps)" and "sweep".
    return r"\s+".join(re.escape(without_ending(word)) + r"\w{0,3}" for word in term.split())


@lru_cache(maxsize=256)
def _formal_pattern(term: str) -> re.Pattern[str]:
    return re.compile(OPENING_QUOTE + _term_words(term) + CLOSING_QUOTE + FORMAL_VERB, re.I)


def formally_defines(sentence: str, term: str) -> bool:
    """Whether a sentence is the term's formal definition ("'sweep' means ...")."""
    return bool(term) and bool(_formal_pattern(term).search(sentence))


def definition_clause(sentence: str, term: str) -> str:
    """The term's own definition where a sentence runs several together ("... apply:
    'software' means ...; 'hardware' means ...;"): from the term to its ";". Else the
    sentence."""
    match = _formal_pattern(term).search(sentence) if term else None
    if match is None:
        return sentence
    end = sentence.find(";", match.end())
    following = _NEXT_DEFINITION.search(sentence, match.end())
    if following is not None and (end < 0 or following.start() < end):
        return sentence[match.start():following.start()]
    return sentence[match.start():end + 1 if end >= 0 else len(sentence)]


@lru_cache(maxsize=256)
def _definition_pattern(term: str) -> re.Pattern[str]:
    words = _term_words(term)
    return re.compile(
        rf"\(\s*[‘'\"„“]?{words}[’'\"“”]?\s*\)"  # "... coordinated control actions (sweeps)"
        rf"|[‘'\"„“»«]{words}[’'\"“”«»]\s+(?:means?|shall\s+mean|refers?\s+to|"
        r"bezeichnet|bedeutet|ist|sind)\b"
        rf"|^(?:\(?\w{{1,3}}[.)]\s+)?(?:an?\s+|the\s+|der\s+|die\s+|das\s+|eine?\s+)?{words}"
        rf"\s+(?:means?|is|are|bezeichnet|bedeutet|ist|sind)\b", re.I)


def defines(sentence: str, term: str) -> bool:
    """Whether a sentence defines the term: names it in brackets after what it stands for,
    or says what it means."""
    return bool(term) and bool(_definition_pattern(term).search(sentence))
