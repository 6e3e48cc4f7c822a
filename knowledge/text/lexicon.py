"""A German-English dictionary, for German questions about English passages.

e5-small matches a German question with the English rule that answers it far less often
than the same question asked in English (dev corpus: 30 against 41 of 45 in the first
three), and fails on exactly the compounds a regulation turns on: "Leitungsorgan",
"Abschlussbericht", "IKT-Risikomanagementrahmen". Word by word through a real dictionary,
with each word's sense chosen by the English passages' own vocabulary, they become
"management body", "final report", "ICT risk management framework": a gloss, not a
translation, but one that e5 and the word overlap can match. It is searched beside the
question, as a model's translation is.

The dictionary is Ding's (TU Chemnitz, GPL-2+), which Debian ships as `trans-de-en`; it
is read from the system, never bundled or downloaded by the bot. Its format: one entry a
line, "Deutsch {n} | Plural {pl} :: English | plurals", forms parallel across the "|",
synonyms apart by ";". A line that does not parse is skipped: the file is outside input.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

from knowledge.core.documents import stable_hash
from knowledge.core.errors import KnowledgeError
from knowledge.text.words import LETTERS, TOKEN

log = logging.getLogger(__name__)

# Where Debian's trans-de-en puts it, and where `make` puts a copy in the virtualenv.
KNOWN_PATHS = (Path("/usr/share/trans/de-en"), Path(sys.prefix) / "share/trans/de-en")
# Ding's file is 25 MB; a file far larger is not a dictionary of this kind.
MAX_BYTES = 64 * 1024 * 1024
# Senses kept per word: the first ones are the common ones, and a sense is chosen among
# these by the passages' vocabulary.
MAX_SENSES = 12
# A sense of more words than this is an explanation, not a translation.
MAX_SENSE_WORDS = 4
# Parts a compound is split into at most; shorter parts are rarely words of their own.
MAX_PARTS = 4
MIN_PART = 3
# The endings German declension adds to a noun or an adjective.
_DECLENSION = ("e", "n", "en", "s", "es", "er", "em", "ern")
# German inflection endings tried when a form is not an entry of its own: removed, or, for
# a whole word, replaced by the entry's ("der Bevollmächtigte" is listed as
# "Bevollmächtigter"; a compound's first part is no such noun: "Melde-" is no "Melder").
ENDINGS = (("", ""), *((ending, "") for ending in _DECLENSION))
WHOLE_WORD_ENDINGS = (("e", "er"), ("en", "er"), ("en", "e"))

# A German question's function words in English, word for word: Ding's entries for them
# are long lists of idioms. Anything not here and not in the dictionary is kept as asked
# (names, acronyms).
GERMAN_FUNCTION_WORDS = {
    "wer": "who", "was": "what", "wann": "when", "wie": "how", "wo": "where",
    "warum": "why", "weshalb": "why", "wieso": "why", "wem": "to whom", "wen": "whom",
    "wessen": "whose", "welche": "which", "welcher": "which", "welches": "which",
    "welchen": "which", "welchem": "which", "worüber": "about what",
    "wofür": "for what", "womit": "with what", "wozu": "what for", "woran": "on what",
    "wodurch": "by what", "woraus": "from what", "wovon": "of what",
    "der": "the", "die": "the", "das": "the", "den": "the", "dem": "the", "des": "the",
    "ein": "a", "eine": "a", "einen": "a", "einem": "a", "einer": "a", "eines": "a",
    "kein": "no", "keine": "no", "keinen": "no", "keiner": "no",
    "ist": "is", "sind": "are", "war": "was", "waren": "were", "sein": "be",
    "wird": "will", "werden": "be", "wurde": "was", "wurden": "were", "worden": "been",
    "hat": "has", "haben": "have", "hatte": "had",
    "muss": "must", "müssen": "must", "darf": "may", "dürfen": "may", "kann": "can",
    "können": "can", "soll": "shall", "sollen": "shall", "sollte": "should",
    "sollten": "should", "gilt": "applies", "gelten": "apply",
    "und": "and", "oder": "or", "nicht": "not", "auch": "also", "nur": "only",
    "mit": "with", "ohne": "without", "über": "about", "von": "of", "vom": "of the",
    "zu": "to", "zum": "to the", "zur": "to the", "in": "in", "im": "in the",
    "ins": "into the", "auf": "on", "für": "for", "bei": "at", "beim": "at the",
    "nach": "after", "aus": "from", "durch": "by", "gegen": "against", "unter": "under",
    "vor": "before", "seit": "since", "bis": "until", "als": "as", "wenn": "if",
    "ob": "whether", "dass": "that", "es": "it", "sie": "they", "er": "he",
    "ihr": "their", "ihre": "their", "ihren": "their", "ihrer": "their",
    "seine": "its", "seinen": "its", "seiner": "its",
    "sich": "", "man": "one", "dieser": "this", "diese": "these", "dieses": "this",
    "diesen": "these", "jeder": "every", "jede": "every", "jedes": "every",
    "alle": "all", "allen": "all", "wieviel": "how much", "viele": "many",
    "oft": "often", "lange": "long", "mindestens": "at least", "höchstens": "at most",
    "ab": "from", "an": "to", "laut": "according to", "gemäß": "under",
}
# The English question's function words in German: the German ones above the other way
# round (the first German word for each English one).
ENGLISH_FUNCTION_WORDS: dict[str, str] = {}
for _german, _english in GERMAN_FUNCTION_WORDS.items():
    if _english and " " not in _english:
        ENGLISH_FUNCTION_WORDS.setdefault(_english, _german)
ENGLISH_FUNCTION_WORDS["an"] = ENGLISH_FUNCTION_WORDS["a"]  # English's second article

# The particles a German verb leaves at a question's end ("Wer richtet die Plattform
# ein?": "einrichten", to set up); Ding lists such forms whole ("richtet ein").
PARTICLES = frozenset((
    "ab", "an", "auf", "aus", "bei", "dar", "ein", "fest", "fort", "her", "hin", "los", "mit",
    "nach", "vor", "voran", "voraus", "vorbei", "weg", "weiter", "zu", "zurück", "zusammen",
    "bereit", "statt", "teil"))
# Acronyms of policy German that Ding lacks; an acronym it does not know is kept as asked.
ACRONYMS = {"ikt": "ICT", "ki": "AI", "dsgvo": "GDPR", "ezb": "ECB", "ewr": "EEA",
            "kmu": "SMEs", "bip": "GDP", "eu": "EU", "usa": "USA"}
# English words that say nothing of a sense's meaning ("to keep sth.", "a minimum").
_FILLER = frozenset(["a", "an", "the", "to", "of", "sb", "sth", "one", "oneself"])
# Grammar ("{m}", "{held; held}"), fields ("[econ.]"), glosses ("(of sb.)"), abbreviations
# ("/BOM/"): removed from a whole side before its senses are told apart by ";".
_MARKUP = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>|/[^/\s]+/")
_PLACEHOLDER = re.compile(r"\b(?:jd[mnrs]?|etw|sb|sth)\.(?:/\w+\.)*", re.IGNORECASE)
# English endings a word may carry where Ding lists its base form.
_ENGLISH_ENDINGS = (("ies", "y"), ("es", ""), ("s", ""), ("ed", "e"), ("ed", ""),
                    ("ing", "e"), ("ing", ""))
# German endings a word may carry in the passages where Ding lists its base form: a
# noun's or an adjective's, a verb's.
_GERMAN_ENDINGS = ("", *_DECLENSION, "t", "st", "te", "ten")
# English words that carry the grammar of a question, not its subject: left out.
_AUXILIARIES = frozenset(("do", "does", "did", "done", "doing", "be", "been", "being"))


class DictionaryError(KnowledgeError):
    """The dictionary named in the settings cannot be used."""


def _clean(text: str) -> str:
    text = _PLACEHOLDER.sub(" ", _MARKUP.sub(" ", text))
    return " ".join(text.replace("…", " ").split()).strip(" ,.;:!?")


def entries(lines: Iterable[str]) -> dict[str, list[str]]:
    """German words (lower case) and their English senses, from Ding's lines. Multi-word
    German headwords are left out (a question is glossed word by word), but for a
    separable verb's finite form ("richtet ein")."""
    senses: dict[str, list[str]] = {}
    for line in lines:
        if line.startswith("#") or "::" not in line:
            continue
        german, english = (_MARKUP.sub(" ", side) for side in line.split("::", 1))
        german_forms, english_forms = german.split("|"), english.split("|")
        if len(german_forms) != len(english_forms):
            # Forms not parallel: only the first pair is sure to belong together.
            german_forms, english_forms = german_forms[:1], english_forms[:1]
        for words, meanings in zip(german_forms, english_forms, strict=True):
            found = [m for m in map(_clean, meanings.split(";"))
                     if m and len(m.split()) <= MAX_SENSE_WORDS]
            if not found:
                continue
            for word in map(_clean, words.split(";")):
                if not word or (" " in word and not _separated(word)):
                    continue
                known = senses.setdefault(word.lower(), [])
                known += [m for m in found if m not in known][:MAX_SENSES - len(known)]
                if " " in word:
                    continue  # "richtet ein" is no German for an English question
                for meaning in found:
                    asked = meaning.lower().removeprefix("to ")  # "to delete": delete
                    if len(asked.split()) <= MAX_ENGLISH_PHRASE:
                        in_german = senses.setdefault(ENGLISH_KEY + asked, [])
                        if word not in in_german and len(in_german) < MAX_GERMAN_SENSES:
                            in_german.append(word)
        for acronym, forms in _acronyms(line):
            known = senses.setdefault(ACRONYM_KEY + acronym.lower(), [])
            known += [form for form in dict.fromkeys(forms)
                      if form not in known][:MAX_SENSES - len(known)]
    return senses


# The same entries the other way round, for English questions about German passages
# (issue: symmetric bridges): under ENGLISH_KEY and an English word or phrase of up to
# MAX_ENGLISH_PHRASE words ("~data protection officer": "Datenschutzbeauftragter"), the
# German words Ding gives it, as written, the common ones first.
ENGLISH_KEY = "~"
MAX_ENGLISH_PHRASE = 3
# An English word has many German ones ("platform": Bahnsteig, Bühne, ..., Plattform); the
# one the German passages use is chosen among these.
MAX_GERMAN_SENSES = 24

# Ding writes a form's acronym after it: "kritische Infrastrukturen /KRITIS/", "General
# Data Protection Regulation /GDPR/". Kept in the lexicon under ACRONYM_KEY and the
# acronym: the forms it stands for, in both languages, and the other language's acronym
# of the same thing ("/DSGVO": "datenschutz-grundverordnung", "general data protection
# regulation", "/gdpr").
ACRONYM_KEY = "/"
_ACRONYM = re.compile(r"/([A-ZÄÖÜ][A-Za-zÄÖÜäöü0-9-]{1,9})/")


def _acronyms(line: str) -> list[tuple[str, list[str]]]:
    german, english = line.split("::", 1)
    german_forms, english_forms = german.split("|"), english.split("|")
    if len(german_forms) != len(english_forms):
        german_forms, english_forms = german_forms[:1], english_forms[:1]
    found: list[tuple[str, list[str]]] = []
    for words, meanings in zip(german_forms, english_forms, strict=True):
        sides = [_named(words), _named(meanings)]
        for side, other in (sides, sides[::-1]):
            for acronym, form in side:
                if acronym:
                    forms = [form] + [named for _, named in other]
                    links = [ACRONYM_KEY + linked.lower() for linked, _ in other if linked]
                    found.append((acronym, [f for f in forms if f] + links))
    return found


def _named(forms: str) -> list[tuple[str, str]]:
    """One side's forms (lower case), each with its acronym ("" where it has none)."""
    named = []
    for form in forms.split(";"):
        marked = _ACRONYM.search(form)
        acronym = marked.group(1) if marked and len(marked.group(1)) >= 2 else ""
        named.append((acronym, _clean(_MARKUP.sub(" ", form)).lower()))
    return named


def _separated(form: str) -> bool:
    """A separable verb's finite form as Ding lists it: "richtet ein", "stellt dar"."""
    parts = form.split()
    return len(parts) == 2 and parts[1].lower() in PARTICLES and parts[0].isalpha()


class Lexicon:
    """Senses by German word, held as one sorted block of "word\\tsense;sense" lines
    (12.6 MB for Ding's 296k forms, where a dict of lists took 80 MB) and searched by
    bisection."""

    def __init__(self, block: bytes) -> None:
        self._block = block
        self._acronyms: dict[str, list[str]] | None = None
        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10)
        self._starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends

    @classmethod
    def from_entries(cls, senses: Mapping[str, list[str]]) -> Lexicon:
        lines = sorted(f"{word}\t{';'.join(found)}\n".encode()
                       for word, found in senses.items()
                       if found and "\t" not in word and "\n" not in word)
        return cls(b"".join(lines))

    @property
    def block(self) -> bytes:
        return self._block

    def __len__(self) -> int:
        return len(self._starts)

    def acronyms(self) -> dict[str, list[str]]:
        """Every acronym the dictionary gives (upper case) and what it stands for (see
        ACRONYM_KEY); they sort together, before any word that starts with a letter."""
        if self._acronyms is not None:
            return self._acronyms
        found: dict[str, list[str]] = {}
        mark = ACRONYM_KEY.encode()
        for line in self._block.split(b"\n"):
            if line[:1] > mark:
                break
            if not line.startswith(mark):
                continue
            key, _, forms = line.decode().partition("\t")
            found[key[len(ACRONYM_KEY):].upper()] = forms.split(";")
        self._acronyms = found
        return found

    def senses(self, word: str) -> list[str]:
        """The entry's senses, most common first; [] where the word is no entry."""
        key = word.lower().encode()
        low, high = 0, len(self._starts)
        while low < high:
            middle = (low + high) // 2
            start = int(self._starts[middle])
            tab = self._block.index(b"\t", start)
            found = self._block[start:tab]
            if found == key:
                end = self._block.index(b"\n", tab)
                return self._block[tab + 1:end].decode().split(";")
            if found < key:
                low = middle + 1
            else:
                high = middle
        return []

    def inflected(self, word: str, whole: bool = True) -> list[str]:
        """The senses of the word or of its stem ("Elementen" -> "Element"); not `whole`:
        a compound's first part."""
        lower = word.lower()
        for ending, listed in ENDINGS + (WHOLE_WORD_ENDINGS if whole else ()):
            if len(lower) - len(ending) >= MIN_PART and lower.endswith(ending):
                found = self.senses(lower[:len(lower) - len(ending)] + listed)
                if found:
                    return found
        return []

    def parts(self, word: str, depth: int = 1) -> list[list[str]]:
        """Each part's senses, for a word or a compound of known words ("Risiko" +
        "management" + "rahmen"); the longest known last part first, with the linking
        "s" ("Abschluss-s-bericht") dropped. [] where the word cannot be read."""
        found = self.inflected(word, whole=depth == 1)
        if found:
            return [found]
        if depth >= MAX_PARTS:
            return []
        lower = word.lower()
        for cut in range(MIN_PART, len(lower) - MIN_PART + 1):
            last = self.inflected(lower[cut:])
            if not last:
                continue
            head = lower[:cut]
            for stem in (head, head[:-1] if head.endswith("s") else ""):
                if len(stem) >= MIN_PART:
                    first = self.parts(stem, depth + 1)
                    if first:
                        return [*first, last]
        return []

    def gloss(self, question: str, vocabulary: Mapping[str, int]) -> str:
        """The German question word for word in English: each word's sense the one whose
        words the English passages use most (`vocabulary`: in how many passages each
        lower-case word stands), names and numbers as asked."""
        tokens = TOKEN.findall(question)
        verb, particle, verb_senses = self._separated_verb(tokens)
        words = []
        for at, token in enumerate(tokens):
            lower = token.lower()
            if at == particle:
                continue
            if at == verb:
                words.append(_choose(verb_senses, vocabulary))
            elif lower in GERMAN_FUNCTION_WORDS:
                words.append(GERMAN_FUNCTION_WORDS[lower])
            elif not token[0].isalpha():
                words.append(token)  # numbers and marks as asked
            else:
                words += [self._word(piece, vocabulary) for piece in token.split("-")]
        return " ".join(word for word in words if word)

    def gloss_in_german(self, question: str, vocabulary: Mapping[str, int]) -> str:
        """The English question word for word in German, the other way round from
        `gloss`: each English word or phrase (up to MAX_ENGLISH_PHRASE words, the longest
        first) as the German word the German passages use most among Ding's (`vocabulary`:
        in how many German passages each lower-case word stands), names and numbers as
        asked."""
        tokens = TOKEN.findall(question)
        words: list[str] = []
        at = 0
        while at < len(tokens):
            token = tokens[at]
            if not token[0].isalpha():
                words.append(token)  # numbers and marks as asked
                at += 1
                continue
            if token.isupper() and len(token) > 1:
                # An acronym is no word ("IT" is no "es"); "GDPR" is the DSGVO.
                words.append(self.linked_acronym(token) or token)
                at += 1
                continue
            for length in range(min(MAX_ENGLISH_PHRASE, len(tokens) - at), 0, -1):
                phrase = tokens[at:at + length]
                if not all(word[0].isalpha() for word in phrase):
                    continue
                senses = self._english(" ".join(phrase).lower(), whole=length == 1)
                if senses:
                    words.append(_choose_german(senses, vocabulary))
                    at += length
                    break
            else:
                lower = token.lower()
                if lower in ENGLISH_FUNCTION_WORDS:
                    words.append(ENGLISH_FUNCTION_WORDS[lower])
                elif lower not in _AUXILIARIES:
                    words.append(token)  # a name: as asked
                at += 1
        return " ".join(word for word in words if word)

    def _english(self, phrase: str, whole: bool) -> list[str]:
        """The German words for an English word or phrase, or for a single word's base
        form ("platforms": "platform", "deleted": "delete")."""
        if phrase in ENGLISH_FUNCTION_WORDS or phrase in _AUXILIARIES:
            return []
        found = self.senses(ENGLISH_KEY + phrase)
        if found or not whole:
            return found
        for ending, base in _ENGLISH_ENDINGS:
            if phrase.endswith(ending) and len(phrase) - len(ending) >= MIN_PART:
                found = self.senses(ENGLISH_KEY + phrase[:len(phrase) - len(ending)] + base)
                if found:
                    return found
        return []

    def _separated_verb(self, tokens: list[str]) -> tuple[int, int, list[str]]:
        """Where a separable verb stands, where its particle (the question's last word),
        and its senses: the first word before the particle that Ding lists with it.
        (-1, -1, []) where there is none."""
        words = [at for at, token in enumerate(tokens) if token[0].isalpha()]
        if not words or tokens[words[-1]].lower() not in PARTICLES:
            return -1, -1, []
        particle = words[-1]
        for at in words[:-1]:
            found = self.senses(f"{tokens[at].lower()} {tokens[particle].lower()}")
            if found:
                return at, particle, found
        return -1, -1, []

    def linked_acronym(self, acronym: str) -> str:
        """The other language's acronym of the same thing ("DSGVO": "GDPR"); "" if none."""
        links = [form for form in self.acronyms().get(acronym.upper(), ())
                 if form.startswith(ACRONYM_KEY)]
        return links[0][len(ACRONYM_KEY):].upper() if links else ""

    def _word(self, word: str, vocabulary: Mapping[str, int]) -> str:
        if word.lower() in ACRONYMS:
            return ACRONYMS[word.lower()]
        if word.isupper() and len(word) <= 5:
            # An acronym: "CE" is no "Ce" (cerium); "DSGVO" is the GDPR.
            return self.linked_acronym(word) or word
        parts = self.parts(word)
        return " ".join(_choose(senses, vocabulary) for senses in parts) if parts else word


def _choose(senses: list[str], vocabulary: Mapping[str, int]) -> str:
    """The sense whose rarest word the passages use most; the dictionary's order breaks
    ties (and decides where the passages use none of them)."""
    def use(sense: str) -> int:
        words = [w for w in LETTERS.findall(sense.lower()) if w not in _FILLER]
        return min((vocabulary.get(_spelled(w, vocabulary), 0) for w in words), default=0)
    chosen = max(senses, key=lambda sense: (use(sense), -senses.index(sense)))
    return LETTERS.sub(lambda m: _spelled(m.group(0), vocabulary), chosen)


def _choose_german(senses: list[str], vocabulary: Mapping[str, int]) -> str:
    """The German word the passages use most, in any of its inflected forms; the
    dictionary's order breaks ties (and decides where the passages use none)."""
    def use(sense: str) -> int:
        lower = sense.lower()
        return max(vocabulary.get(lower + ending, 0) for ending in _GERMAN_ENDINGS)
    return max(senses, key=lambda sense: (use(sense), -senses.index(sense)))


def _spelled(word: str, vocabulary: Mapping[str, int]) -> str:
    """The word as the passages spell it: Ding writes American English ("authorized"),
    EU law British ("authorised")."""
    if word in vocabulary:
        return word
    for american, british in (("iz", "is"), ("yz", "ys"), ("or", "our"), ("er", "re")):
        if american in word:
            variant = word.replace(american, british)
            if variant in vocabulary:
                return variant
    return word


def _read_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as file:
        yield from file


# What a kept parse holds: changed when the parse gains something (acronyms: "2", the
# English side: "3"), so an older parse is read afresh, not used without it.
CACHE_FORMAT = "3"


class Dictionary:
    """The lexicon of one dictionary file, read on first use (a refresh, the warm-up or a
    German question). The parse (about 5 s for Ding) is kept in the cache folder, keyed by the
    file's path, size and time, so a process after the first opens it in milliseconds."""

    def __init__(self, path: Path, cache_dir: Path | None) -> None:
        self.path = path
        self.cache_dir = cache_dir
        self._lexicon: Lexicon | None = None
        self._failed = False
        self._lock = threading.Lock()

    @classmethod
    def find(cls, setting: str, cache_dir: Path | None) -> Dictionary | None:
        """The dictionary a setting names: a path (which must exist), "off", or ""
        for the first of KNOWN_PATHS present."""
        if setting.strip().lower() == "off":
            return None
        if setting.strip():
            path = Path(setting).expanduser()
            if not path.is_file():
                raise DictionaryError(f"no dictionary file at {path}")
            return cls(path, cache_dir)
        return next((cls(path, cache_dir) for path in KNOWN_PATHS if path.is_file()), None)

    def lexicon(self) -> Lexicon | None:
        """None where the file cannot be read: German questions are then searched as
        asked, and the log says why, once."""
        with self._lock:
            if self._lexicon is None and not self._failed:
                try:
                    self._lexicon = self._load()
                except (OSError, ValueError) as error:
                    self._failed = True
                    log.warning("the dictionary %s cannot be read (%s); German questions "
                                "are searched without it", self.path, error)
            return self._lexicon

    def _load(self) -> Lexicon:
        status = self.path.stat()
        if status.st_size > MAX_BYTES:
            raise ValueError(f"{status.st_size} bytes, more than a dictionary has")
        cache = None
        if self.cache_dir is not None:
            key = stable_hash(CACHE_FORMAT, str(self.path.resolve()), str(status.st_size),
                              str(status.st_mtime_ns))
            cache = self.cache_dir / f"lexicon-{key}.tsv"
            kept = _kept(cache)
            if kept is not None:
                return kept
        lexicon = Lexicon.from_entries(entries(_read_lines(self.path)))
        if not len(lexicon):
            raise ValueError("no entry of the form 'Deutsch :: English'")
        if cache is not None:
            _keep(cache, lexicon.block)
        log.info("dictionary %s: %d German words", self.path, len(lexicon))
        return lexicon


def _kept(cache: Path) -> Lexicon | None:
    """The parse kept in the cache folder; None where there is none or it is damaged (a
    question must never meet a line without its tab, or bytes that are no UTF-8)."""
    try:
        block = cache.read_bytes()
        block.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not block.endswith(b"\n") or block.count(b"\t") != block.count(b"\n"):
        log.info("the kept dictionary %s is damaged; reading the dictionary again", cache)
        return None
    return Lexicon(block)


def _keep(cache: Path, block: bytes) -> None:
    """Written aside and moved in: a process reading it never sees half a file. A cache
    folder that cannot be written costs the next process the parse, nothing more."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache.parent, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(block)
        Path(temporary).replace(cache)
    except OSError as error:
        log.info("the dictionary's parse is not kept in %s: %s", cache.parent, error)
