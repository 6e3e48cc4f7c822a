"""Names a question uses that no document writes: "the GDPR", "NIS2", "an H100", "the
Digital Services Act".

Asked "What is the maximum fine under the GDPR?", a knowledge base of the Cyber
Resilience Act and DORA holds fines aplenty, and e5 finds them as close as the answer to
any real question; the relevance judge cannot tell (dev corpus: the close off-topic
questions were the ones answered). An acronym is a name, though, and acts, authorities
and products are named by acronyms: one that no passage, heading or title holds is a
thing the documents do not speak of, and saying so is the answer. Names of two letters are
left to the judge.

Known: an acronym any passage, heading or title writes ("NIS 2" writes "NIS2"), the
initials of a title ("CRA") or of a name a passage writes out ("Bundesamt für Sicherheit
in der Informationstechnik" is the BSI), and the German and English forms of the same one
("IKT" is "ICT", knowledge/text/lexicon.py). Roman numerals are numbers ("Basel III",
"Annex II").

Acts and licences are named by title as often: "the Digital Services Act", "the Mozilla
Public License", "die KI-Verordnung". Such a name is known when a document writes it, or
the end of it ("Resilience Act" of "Cyber Resilience Act"), or its initials ("AI Act" of
"Artificial Intelligence Act"); a German one also in its English form ("KI-Verordnung" is
"AI Regulation" or "AI Act"). Whether it names one of the knowledge base's own documents
(by their titles' words, knowledge/search/naming.py) is the retriever's to add.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from knowledge.search.naming import Titles
from knowledge.text.legal_words import (
    NAMED_ACTS,
    NAMED_ACTS_IN_GERMAN,
    UNION_WORDS,
    alternatives,
)
from knowledge.text.lexicon import ACRONYM_KEY, ACRONYMS
from knowledge.text.words import FUNCTION_WORDS, LETTERS, beginning, parts, wordset

# Two letters name too many things, and differently in each language: XQuAD's English
# questions say "UK" where its German paragraphs say "Großbritannien" (5 of 632 refused).
MIN_LENGTH = 3
# Words that may be acronyms, not parts of words ("US-Cloud-Anbieter" holds "US"); found
# by one expression, since reading every word of 10,000 passages took 4 s.
_CANDIDATE = re.compile(r"\b[A-ZÄÖÜ][A-ZÄÖÜ\d]+s?\b")
_ROMAN = re.compile(r"[IVXLCDM]+")
# "NIS 2", "Basel 3": an acronym and a short number apart are one name.
_NUMBERED = re.compile(r"\b([A-ZÄÖÜ]{2,})[ \u00a0](\d{1,2})\b")
_SAME = {**ACRONYMS, **{english.lower(): german.upper() for german, english
                        in ACRONYMS.items()}}


def is_acronym(word: str) -> bool:
    """Capitals and digits, a plural "s" allowed: two capitals at least ("EU", "ESAs"), or
    a capital and digits ("H100", "NIS2")."""
    core = word[:-1] if word.endswith("s") and len(word) > 2 else word
    if not core[:1].isupper() or not all(c.isupper() or c.isdigit() for c in core):
        return False
    letters = sum(c.isalpha() for c in core)
    return letters >= 2 or len(core) >= 3


def acronyms(text: str) -> set[str]:
    """The acronyms a text writes, as written (a plural "s" kept: "ESAs")."""
    found = {token for token in _CANDIDATE.findall(text) if is_acronym(token)}
    found |= {name + number for name, number in _NUMBERED.findall(text)}
    return found


# What an act or a licence is called after its name: "Cyber Resilience Act",
# "Mozilla Public License"; in German the end of one word: "KI-Verordnung".
_ACT_WORD = re.compile(rf"\b(?:{alternatives(NAMED_ACTS, 'title')}|Licen[cs]e|Convention|Treaty)\b")
# The up to five capitalised words (or a short number: "NIS 2 Directive") before it, read
# back from where an act word stands (one pattern matched at every word took 1 s over 10k
# passages).
_NAME_WORD = re.compile(r"(?:[A-ZÄÖÜ][\w'’-]*|\d{1,2})")
_NAME_WORDS = 5
_OPENING = "(\"'„“‘«»"
_NAME_CHARS = 120
_GERMAN_ACT = re.compile(r"\b([A-ZÄÖÜ][A-ZÄÖÜ\d-]*?)-?"
                         + alternatives(tuple(NAMED_ACTS_IN_GERMAN), "title") + r"\b")
# Capitalised at a sentence's start, as a determiner, or as where an act is from: no part
# of its name ("the EU AI Act" is the "AI Act").
_NO_NAME = FUNCTION_WORDS | UNION_WORDS | wordset(
    "each any such our its whose under diese dieser dieses jede jeder laut gemäß new proposed "
    "draft")


def act_names(text: str, english: bool = True) -> list[str]:
    """The acts and licences a text names, as written ("Digital Services Act",
    "KI-Verordnung"); "the Regulation" and "diese Verordnung" name none in particular.
    Not `english`: only the German ones (whose English forms are known too)."""
    found: list[str] = []
    for match in _ACT_WORD.finditer(text if english else ""):
        preceding = text[max(0, match.start() - _NAME_CHARS):match.start()]
        words: list[str] = []
        if preceding[-1:].isspace():
            for word in reversed(preceding.split()[-_NAME_WORDS:]):
                bare = word.lstrip(_OPENING)
                if not _NAME_WORD.fullmatch(bare):
                    break
                words.insert(0, bare)
                if bare != word:  # "(Artificial Intelligence Act)" begins at its bracket
                    break
        while words and (words[0].lower() in _NO_NAME or words[0].isdigit()):
            words.pop(0)
        if words:
            found.append(" ".join([*words, match.group()]))
    for match in _GERMAN_ACT.finditer(text):
        # Only an acronym's act ("KI-Verordnung", "NIS2-Richtlinie"): other compounds
        # ("Durchführungsverordnung") are kinds of act as often as names, and an English
        # document writes neither.
        prefix = match.group(1).replace("-", "")
        if prefix.lower() not in _NO_NAME and is_acronym(prefix):
            found.append(match.group(0))
    return found


# A name written out, which its initials abbreviate: capitalised words, with the short
# words of either language that join a name's words between them ("Bundesamt für
# Sicherheit in der Informationstechnik" is the BSI, "Data Protection Officer" the DPO).
_WORD = re.compile(LETTERS.pattern + r"|[^\w\s]")  # words, and marks that end a name
_JOINING = frozenset((
    "of", "for", "and", "the", "on", "in", "to", "für", "und", "der", "die", "das", "des",
    "den", "dem", "in", "im", "zur", "zum", "von", "vom", "über", "et", "de", "la", "du"))
_NAME_INITIALS = 8  # the capitalised words of a name whose initials are read


def named_initials(text: str) -> set[str]:
    """The initials (three or more) of every run of capitalised words a text writes."""
    found: set[str] = set()
    run: list[str] = []
    for word in [*_WORD.findall(text), "."]:
        if word[:1].isupper() and len(run) < _NAME_INITIALS:
            run.append(word[0])
        elif not (run and word in _JOINING):
            found |= {"".join(run[start:end]) for start in range(len(run))
                      for end in range(start + MIN_LENGTH, len(run) + 1)}
            run = [word[0]] if word[:1].isupper() else []
    return found


# A written-out form is matched by its words' beginnings (BEGINNING letters: "kritischer
# Infrastrukturen" writes "kritische Infrastrukturen"); a form of one word by more of it,
# lest "Datenschutzbeauftragte" be found in every "Datenschutz".
_ONE_WORD_BEGINNING = 12


class _WrittenOut:
    """Finds the acronyms whose forms a text writes out, by the forms' first words."""

    def __init__(self, expansions: Mapping[str, list[str]]) -> None:
        self._starting: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for acronym, forms in expansions.items():
            for form in forms:
                words = [] if form.startswith(ACRONYM_KEY) else _words(form)
                if len(words) == 1 and len(words[0]) >= _ONE_WORD_BEGINNING:
                    key: tuple[str, ...] = (beginning(words[0], _ONE_WORD_BEGINNING),)
                elif len(words) > 1:
                    key = tuple(beginning(word) for word in words)
                else:
                    continue
                self._starting.setdefault(key[0], []).append((key, acronym))

    def in_text(self, text: str) -> set[str]:
        if not self._starting:
            return set()
        words = _words(text)
        beginnings = [beginning(word) for word in words]
        found = {acronym for word in words
                 for key, acronym in self._starting.get(beginning(word, _ONE_WORD_BEGINNING), ())
                 if len(key) == 1}
        return found | {acronym for at, start in enumerate(beginnings)
                        for key, acronym in self._starting.get(start, ())
                        if len(key) > 1 and tuple(beginnings[at:at + len(key)]) == key}


def _words(text: str) -> list[str]:
    """A text's words in lower case, without the short words that join a name's."""
    return [word for word in (w.lower() for w in _WORD.findall(text) if w[:1].isalpha())
            if word not in _JOINING]


def _forms(name: str, ends: bool = True) -> set[str]:
    """The forms a name answers to: itself and its initials ("AI Act" of "Artificial
    Intelligence Act"), with `ends` also its ends ("Resilience Act"); a German act word
    also in English ("KI-Verordnung": "AI Regulation", "AI Act")."""
    words = parts(name)
    *head, act = words
    german = next((word for word in NAMED_ACTS_IN_GERMAN if act.endswith(word)), "")
    if german:
        head = [*head, act.removesuffix(german)] if act != german else head
        english = [ACRONYMS.get(word, word).lower() for word in head]
        return {" ".join([*english, word]) for word in NAMED_ACTS_IN_GERMAN[german]} | {
            " ".join([*head, german])}
    forms = {" ".join(words[start:]) for start in range(len(words) - 1 if ends else 1)}
    if len(head) > 1:
        forms.add(f"{''.join(word[0] for word in head)} {act}")
    return forms


class Mentions:
    """The acronyms, and the acts' names, a knowledge base's documents write, gathered
    from one read. `expansions`: what acronyms stand for, in either language, and the
    other language's acronym of the same thing (the dictionary's, text/lexicon.py): an
    acronym is known where a document writes out what it stands for ("kritische
    Infrastrukturen" is KRITIS), or where its other language's acronym is known (the
    GDPR of a document that writes "DSGVO")."""

    def __init__(self, texts: Iterable[str], titles: Iterable[str] = (),
                 expansions: Mapping[str, list[str]] | None = None) -> None:
        self._known: set[str] = set()
        self._acts: set[str] = set()
        expansions = expansions or {}
        written = _WrittenOut(expansions)
        for text in texts:
            self._known |= acronyms(text) | named_initials(text) | written.in_text(text)
            for name in act_names(text):
                self._acts |= _forms(name)
        self._known |= {name.upper() for name in titles}
        self._known |= {name.removesuffix("s") for name in self._known}
        self._same = {acronym: {form[len(ACRONYM_KEY):].upper() for form in forms
                                if form.startswith(ACRONYM_KEY)}
                      for acronym, forms in expansions.items()}

    def knows_act(self, name: str) -> bool:
        # Asked as a whole: "GNU General Public License" is not known by the "Public
        # License" that the Mozilla one ends in.
        return bool(_forms(name, ends=False) & self._acts)

    def knows(self, name: str) -> bool:
        bare = name.removesuffix("s") if len(name) > 2 else name
        return any(form in self._known
                   for form in (name, bare, _SAME.get(bare.lower(), "").upper(),
                                *self._same.get(bare.upper(), ())))

    def unknown(self, question: str) -> list[str]:
        """The acronyms of the question no document writes, in the question's order."""
        return [name for name in acronyms_named(question) if not self.knows(name)]


def acronyms_named(question: str) -> list[str]:
    """The acronyms a question names that could be unknown: long enough, no Roman
    numeral. Most questions name none, and are then not checked at all."""
    asked = [token for token in _CANDIDATE.findall(question) if is_acronym(token)]
    asked += [name + number for name, number in _NUMBERED.findall(question)]
    return list(dict.fromkeys(name for name in asked
                              if len(name.removesuffix("s")) >= MIN_LENGTH
                              and not _ROMAN.fullmatch(name)))


def unknown_names(query: str, english: bool, titles: Titles,
                  mentions: Callable[[], Mentions]) -> list[str]:
    """The acronyms and acts' names the question uses that no document writes (nor, for
    an act, names by its title). An English name only where a document could have
    written it as asked (`english`: a document is in English): German paragraphs write the
    "Single European Act" as the "Einheitliche Europäische Akte" (XQuAD). `mentions`, the
    documents' words, is read (once per snapshot: 3 s at 10k passages) only for a question
    that names something."""
    acronyms = acronyms_named(query)
    acts = act_names(query, english=english)
    if not acronyms and not acts:
        return []
    known = mentions()
    unknown_acts = [name for name in acts
                    if not known.knows_act(name) and not titles.named_in(name).specific]
    # "DSA-Verordnung" is said once, not as "DSA or DSA-Verordnung".
    return [*(name for name in (known.unknown(query) if acronyms else [])
              if not any(name in act for act in unknown_acts)), *unknown_acts]
