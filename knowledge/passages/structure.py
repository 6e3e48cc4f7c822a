"""From clean paragraphs to passages that are units of meaning, each with its heading path.

A passage is a paragraph, a numbered paragraph or point of an article, or a recital; it
is never cut inside a sentence. Long units are split at sentence boundaries, tiny ones
merged with their neighbours under the same heading, aiming at MIN_WORDS..MAX_WORDS
(e5 reads 512 tokens: 250 English words are about 330 tokens, German ones about 400,
which leaves room for the heading path it is embedded with).

Structure comes from the text, not blindly from a converter's headings: "(12)" headings
are recitals, definitions or points; "REGULATION (EU) ... OF THE EUROPEAN PARLIAMENT"
headings are references, not sections; "Article 5" and "CHAPTER II" lines are headings
whether a converter marked them or not.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from knowledge.core.documents import Block
from knowledge.passages.heading_lines import numbered_heading, structural_heading
from knowledge.passages.headings import PART, PATH_SEPARATOR, RECITALS
from knowledge.passages.joining import Paragraph
from knowledge.passages.line_ends import ends_sentence
from knowledge.text.legal_words import is_act_title
from knowledge.text.sentences import split_sentences
from knowledge.text.words import LETTERS

MIN_WORDS = 40
MAX_WORDS = 250
# A heading this short that does not end a sentence reads as a section title in text.
MAX_HEADING_WORDS = 14
MAX_HEADING_CHARS = 100
# A lead-in shown in a heading path is cut to its last words.
LEAD_IN_WORDS = 20

_NUMBERED = re.compile(r"(\d{1,3})\.\s+(?=\S)")
# "(a)", "(iv)", "(3)"; German texts also letter their points "a)", "aa)".
_POINT = re.compile(
    r"-?\s*(?:\((?P<mark>[a-z]{1,2}|[ivx]{1,5}|\d{1,3})\)|(?P<letter>[a-z]{1,2})\))\s+(?=\S)")
_MARKER_HEADING = re.compile(r"\((\d{1,3}|[a-z]{1,2})\)")
_RECITALS = re.compile(r"(?:whereas\b.*|in erwägung.*|recitals?|erwägungsgründe)",
                       re.IGNORECASE)
_ANNEX_NAME = re.compile(r"(?:Annex|Anhang)\b")
# Printed as lines of the text (PDF, HTML), not as headings: "Whereas:" opens the
# recitals, "HAVE ADOPTED THIS REGULATION:" closes them.
_RECITALS_OPEN = re.compile(r"(?:whereas|in erwägung nachstehender gründe)\s*:", re.I)
_RECITALS_CLOSE = re.compile(
    r"(?:ha(?:ve|s) adopted this|haben (?:folgende|diese)\b.*\berlassen)\b.*", re.I)
_ROMAN = re.compile(r"[ivx]{1,5}")
_LIST_DASH = re.compile(r"^[-•*]\s+(?=\()")


def is_plain_heading(text: str) -> bool:
    stripped = text.strip()
    return (0 < len(stripped) <= MAX_HEADING_CHARS
            and not stripped.endswith((".", ",", ";", ":"))
            and len(stripped.split()) <= MAX_HEADING_WORDS
            and any(len(word) > 1 for word in LETTERS.findall(stripped))
            and (stripped[:1].isupper() or stripped[:1].isdigit()))


@dataclass(frozen=True)
class Unit:
    """A paragraph or point with where it stands."""

    text: str
    path: tuple[str, ...]
    number: str = ""  # "1" for a numbered paragraph, "(12)" for a recital or definition
    point: str = ""  # "(c)", "(c)(ii)"
    lead_in: str = ""  # the sentence ending in ":" that introduces the point

    @property
    def label(self) -> str:
        return f"{self.number}{self.point}"

    @property
    def words(self) -> int:
        return len(self.text.split())


def _title_case(text: str) -> str:
    # "CONFORMITY OF THE PRODUCT" -> "Conformity of the product"
    return text[:1] + text[1:].lower() if text.isupper() else text


def _heading_name(kind: str, number: str, title: str, original: str) -> str:
    word = original.split(maxsplit=1)[0].rstrip(".").capitalize() if original else kind.capitalize()
    name = f"{word} {number}".strip()
    return f"{name}: {_title_case(title)}" if title else name


@dataclass
class _Reader:
    """Walks the paragraphs once, keeping the heading path and the numbering state."""

    title: str
    slots: list[str] = field(default_factory=lambda: ["", "", ""])
    in_recitals: bool = False
    number: str = ""
    letter: str = ""
    lead_in: str = ""
    pending_marker: str = ""
    pending_title: int = -1  # slot whose heading still waits for its title line
    last_marker: int = 0  # the last "(n)" heading taken: recitals and definitions count up
    title_level: int = 0  # 1 when the title came from the document's first "# heading"
    chapter: str = ""  # the number of the chapter, part or appendix heading the top slot
    units: list[Unit] = field(default_factory=list)

    def set_slot(self, depth: int, name: str) -> None:
        self.slots[depth] = name
        for deeper in range(depth + 1, len(self.slots)):
            self.slots[deeper] = ""
        self.number = self.letter = self.lead_in = self.pending_marker = ""
        self.last_marker = 0

    def recitals(self, opened: bool) -> None:
        self.set_slot(0, RECITALS if opened else "")
        self.in_recitals = opened

    def formula(self, text: str) -> bool:
        """Take a line of text that opens the recitals ("Whereas:") or closes them ("HAVE
        ADOPTED THIS REGULATION:"); False for any other."""
        if _RECITALS_OPEN.fullmatch(text):
            self.recitals(opened=True)
            return True
        if self.in_recitals and _RECITALS_CLOSE.fullmatch(text):
            self.recitals(opened=False)  # the enacting formula itself says nothing to cite
            return True
        return False

    def heading(self, text: str, level: int) -> bool:
        """Take a heading; False when it is none (a reference, a marker, body text)."""
        found = structural_heading(text)
        if found is not None:
            kind, number, name = found
            if self.slots[0] == RECITALS:  # "Article 1" without "HAVE ADOPTED ...:" before
                self.slots[0] = ""
            depth = {"chapter": 0, "annex": 0, "appendix": 0, "section": 1, "abschnitt": 1,
                     "article": 2, "statute": 2}[kind]
            if kind == "chapter" and PART.match(text) and _ANNEX_NAME.match(self.slots[0]):
                depth = 1  # "Annex I › Part II": an annex's parts stand under it
            self.set_slot(depth, _heading_name(kind, number, name, text))
            self.in_recitals = False
            self.pending_title = depth if not name else -1
            self.chapter = number if depth == 0 else self.chapter
            return True
        marker = _MARKER_HEADING.fullmatch(text)
        if marker:
            mark = marker.group(1)
            # "(9)" in the middle of recital 25 is a footnote reference a converter made a
            # heading: a numbered heading must continue the count.
            if not mark.isdigit() or int(mark) in {1, self.last_marker + 1}:
                self.pending_marker = f"({mark})"
                self.last_marker = int(mark) if mark.isdigit() else self.last_marker
            return True
        if is_act_title(text):
            return False
        level = level or 2  # a heading-like line of plain text: a section
        if _RECITALS.fullmatch(text):
            self.recitals(opened=True)
            return True
        if level == 1 and not self.title:
            self.title, self.title_level = text, 1
            return True
        # Below a title taken from the first "# heading", "##" is the top level.
        self.set_slot(min(max(level - 1 - self.title_level, 0), 2), _title_case(text))
        self.in_recitals = False
        return True

    def numbered_section(self, depth: int, name: str, top: str) -> None:
        if self.chapter and top != self.chapter:
            # Numbered anew under "Appendix A" or "Chapter 2": the sections are its own
            # ("Appendix A: Method › 1. Sampling"); "4.1" under "Kapitel 4" already is.
            depth = min(depth + 1, len(self.slots) - 1)
        elif depth == 0:
            self.chapter = ""
        self.set_slot(depth, name)
        self.in_recitals = False
        self.pending_title = -1

    def paragraph(self, text: str) -> None:
        text = _LIST_DASH.sub("", text)  # "- (a) ..." as a converter wrote list points
        if self.pending_title >= 0:
            depth, self.pending_title = self.pending_title, -1
            if is_plain_heading(text) and not _POINT.match(text):
                self.slots[depth] = f"{self.slots[depth]}: {_title_case(text)}"
                return
        number, point = self.pending_marker, ""
        self.pending_marker = ""
        previous = self.units[-1] if self.units else None
        if (not number and previous is not None and _continues(text)
                and previous.path == tuple(s for s in self.slots if s)
                and not ends_sentence(previous.text)):
            # The sentence goes on after something the converter put in between.
            joint = "" if text[:1] in _GOES_ON_MARKS else " "
            self.units[-1] = replace(previous, text=f"{previous.text}{joint}{text}")
            return
        numbered = _NUMBERED.match(text)
        pointed = _POINT.match(text)
        if numbered and not number:
            number = numbered.group(1)
            self.letter = self.lead_in = ""
        elif pointed:
            mark = pointed["mark"] or pointed["letter"]
            # "(2)" after "(1)": the next numbered paragraph (a German statute's Absatz);
            # but "two steps: (1) assert copyright ..., and (2) ..." counts a sentence's
            # parts, after its lead-in.
            counted = self.lead_in and text[pointed.end():][:1].islower()
            if mark.isdigit() and not counted and (
                    self.in_recitals or not self.number or self.number == f"({int(mark) - 1})"):
                number = f"({mark})"
            elif _ROMAN.fullmatch(mark) and self.letter and not (
                    len(mark) == 1 and ord(mark) == ord(self.letter) + 1):
                point = f"({self.letter})({mark})"
            else:
                self.letter = mark if mark.isalpha() else ""
                point = f"({mark})"
        if number:
            self.number, self.letter = number, ""
            if not point:
                self.lead_in = ""
        unit = Unit(text=text, path=tuple(s for s in self.slots if s), number=self.number,
                    point=point, lead_in=self.lead_in if point else "")
        if text.endswith(":"):
            self.lead_in = text
        self.units.append(unit)


def _numbered_sections(paragraphs: list[Paragraph]) -> dict[int, tuple[int, str, str]]:
    """The paragraphs that are numbered sections' headings ("2.1 Directory layout"), as
    index: (depth, name, the top number).

    Told from other short numbered lines by how section numbers run: each follows the one
    before (2.1 after 2, 2.2 or 3 after 2.1; one missed heading forgiven), or starts a
    numbering anew (an appendix's "0. PREAMBLE"). Not sections: a run counting up one by
    one with nothing between (a list: "11. Operating systems", "12. Routers ..."), and a
    number printed as often as a table's rows ("4 CARD32 N_ALIASES"), and one whose next
    number opens a paragraph instead of heading one."""
    found = {i: _section_number(heading[0]) for i, paragraph in enumerate(paragraphs)
             if paragraph.level == 0 and (heading := numbered_heading(paragraph.text))}
    # As printed: "2." heads a section, "2" a table row of the same number.
    printed = Counter(paragraphs[i].text.split(maxsplit=1)[0] for i in found)

    def listed(a: int, b: int) -> bool:
        first, second = found.get(a), found.get(b)
        return (first is not None and second is not None and first[:-1] == second[:-1]
                and second[-1] == first[-1] + 1)

    # "1. Definitions." on a line of its own, but "2. Grant of Copyright License. Subject
    # to ..." run into their paragraphs: numbered paragraphs, the first one short.
    run_in = {_section_number(match.group(1)) for paragraph in paragraphs
              if (match := _NUMBERED.match(paragraph.text))} - set(found.values())

    def next_run_in(number: tuple[int, ...]) -> bool:
        return (*number[:-1], number[-1] + 1) in run_in

    candidates = [(i, number) for i, number in found.items()
                  if printed[paragraphs[i].text.split(maxsplit=1)[0]] < _TABLE_ROWS
                  and not listed(i - 1, i) and not listed(i, i + 1)
                  and not next_run_in(number)]
    # How many headings of another kind stand before each paragraph (read once).
    headed = [0]
    for paragraph in paragraphs if candidates else ():
        headed.append(headed[-1] + _other_heading(paragraph))
    taken: dict[int, tuple[int, str, str]] = {}
    last: tuple[int, ...] | None = None
    last_index = -1
    for k, (i, number) in enumerate(candidates):
        following = candidates[k + 1][1] if k + 1 < len(candidates) else None
        # A numbering starts anew at the start, or under a heading of another kind (an
        # appendix's "0. PREAMBLE" after "Appendix A"); inside section 6.5 "1. Create the
        # POT file" is a step.
        restarts = _starts(number) and (last is None or headed[i] > headed[last_index + 1])
        # Two in a row that follow each other take up the count after a heading the
        # lines did not show as one, forwards only: backwards it is a restart.
        resumes = (following is not None and _follows(number, following)
                   and (last is None or number > last))
        if restarts or resumes or (last is not None and _follows(last, number)):
            # Named as printed, without a title's full stop ("0. Definitions.").
            taken[i] = (min(len(number) - 1, 2), paragraphs[i].text.strip().removesuffix("."),
                        str(number[0]))
            last, last_index = number, i
    return taken


def _other_heading(paragraph: Paragraph) -> bool:
    text = paragraph.text
    return paragraph.level > 0 or structural_heading(text) is not None or _plain_title(text)


def _plain_title(text: str) -> bool:
    """A short line of text that reads as a heading and is no point, numbered paragraph
    or numbered section (those are told apart by their numbers)."""
    return (is_plain_heading(text) and not _POINT.match(text) and not _NUMBERED.match(text)
            and numbered_heading(text) is None)


# A section number printed this often is a table's column, not a section's.
_TABLE_ROWS = 3
# A section number may skip this many (a heading the lines did not show as one).
_SKIPPED = 1


def _section_number(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def _starts(number: tuple[int, ...]) -> bool:
    """Whether a numbering may start here: "1", "0", "1.1"."""
    return all(part <= 1 for part in number)


def _follows(last: tuple[int, ...], number: tuple[int, ...]) -> bool:
    """Whether `number` may come next after `last`: a deeper first ("2" -> "2.1"), the
    next at some depth ("2.1" -> "2.2", "3", "3.1")."""
    if number[:len(last)] == last:
        return len(number) > len(last) and all(
            part <= 1 + _SKIPPED for part in number[len(last):])
    for depth, (was, now) in enumerate(zip(last, number, strict=False)):
        if was != now:
            # A chapter is not skipped: "8." after "6.5" is a step of a list.
            skipped = _SKIPPED if depth else 0
            return (number[:depth] == last[:depth] and 0 < now - was <= 1 + skipped
                    and all(part <= 1 + _SKIPPED for part in number[depth + 1:]))
    return False


def _leads_in(paragraphs: list[Paragraph], index: int) -> bool:
    """Whether the paragraph after `index` is a point its sentence goes on in:
    '1.5. "Incompatible With Secondary Licenses" means' over "(a) that the ..." is no
    heading, however short."""
    if index + 1 >= len(paragraphs):
        return False
    following = paragraphs[index + 1].text
    point = _POINT.match(following)
    return point is not None and following[point.end():][:1].islower()


def units_of(paragraphs: list[Paragraph], title: str = "") -> tuple[str, list[Unit]]:
    """The document's title (from its first heading when not given) and its units."""
    reader = _Reader(title=title)
    # Formats with heading markup (Markdown, HTML) say where their headings are; in plain
    # and PDF text a short line that ends no sentence is one.
    infer = not any(p.level > 0 for p in paragraphs)
    sections = _numbered_sections(paragraphs) if infer else {}
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.text
        if index in sections:
            reader.numbered_section(*sections[index])
            continue
        as_heading = paragraph.level > 0 or (
            structural_heading(text) is not None
            # Numbered, but out of the sections' count, is a table's row or a list's item.
            or (infer and reader.title and reader.pending_title < 0 and _plain_title(text)
                and not _leads_in(paragraphs, index)))
        if (as_heading and reader.heading(text, paragraph.level)) or reader.formula(text):
            continue
        reader.paragraph(text)
    return reader.title, reader.units


# --- packing units into passages --------------------------------------------------------


def _split_long(unit: Unit) -> list[Unit]:
    """A unit over MAX_WORDS in parts of whole sentences, as even as the sentences allow."""
    if unit.words <= MAX_WORDS:
        return [unit]
    sentences = [piece for sentence in split_sentences(unit.text)
                 for piece in _run_on_cut(sentence)]
    total = sum(len(s.split()) for s in sentences)
    parts_wanted = -(-total // MAX_WORDS)
    target = total / parts_wanted
    parts: list[list[str]] = [[]]
    size = 0
    for sentence in sentences:
        n = len(sentence.split())
        if parts[-1] and (size + n > MAX_WORDS or size >= target):
            parts.append([])
            size = 0
        parts[-1].append(sentence)
        size += n
    return [replace(unit, text=" ".join(part)) for part in parts]


# Where a run-on sentence longer than a passage may be cut, best first: after a clause
# (";"), after a comma; between words only where neither is left.
_CLAUSE_ENDS = (re.compile(r"(?<=;)\s+"), re.compile(r"(?<=,)\s+"))


def _run_on_cut(sentence: str, level: int = 0) -> list[str]:
    """A sentence in pieces of at most MAX_WORDS, cut at its clause boundaries."""
    if len(sentence.split()) <= MAX_WORDS:
        return [sentence]
    if level == len(_CLAUSE_ENDS):
        words = sentence.split()
        return [" ".join(words[i:i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]
    pieces: list[str] = []
    for clause in _CLAUSE_ENDS[level].split(sentence):
        if pieces and len(pieces[-1].split()) + len(clause.split()) <= MAX_WORDS:
            pieces[-1] = f"{pieces[-1]} {clause}"
        else:
            pieces.append(clause)
    return [cut for piece in pieces for cut in _run_on_cut(piece, level + 1)]


_GOES_ON_MARKS = ",;)"


def _continues(text: str) -> bool:
    """A paragraph that goes on with a sentence begun before it: "this does not ..." or
    ", this does not ..." after a footnote a converter put in between."""
    return text[:1].islower() or text[:1] in _GOES_ON_MARKS


def _label(units: list[Unit]) -> str:
    first, last = units[0], units[-1]
    if not first.point:  # the passage starts a paragraph: name the paragraphs it holds
        numbers = [u.number for u in units if u.number]
        if not numbers:
            return ""
        return numbers[0] if numbers[0] == numbers[-1] else f"{numbers[0]}–{numbers[-1]}"
    if first.label == last.label:
        return first.label
    if first.number == last.number:
        return f"{first.label}–{last.point}"
    return f"{first.label}–{last.label}"


def _block(units: list[Unit]) -> Block:
    path = list(units[0].path)
    if units[0].point and units[0].lead_in:
        # Points split from their lead-in carry it in their heading path.
        sentences = split_sentences(_NUMBERED.sub("", units[0].lead_in, count=1))
        words = (sentences[-1] if sentences else "").split()
        path.append(" ".join(words) if len(words) <= LEAD_IN_WORDS
                    else "… " + " ".join(words[-LEAD_IN_WORDS:]))
    label = _label(units)
    if label:
        path.append(label)
    return Block(text=" ".join(u.text for u in units), section=PATH_SEPARATOR.join(path))


def blocks_of(units: list[Unit]) -> list[Block]:
    """Units packed into passage-sized blocks: whole units, same heading path, a tiny unit
    merged with its neighbour; a lead-in ("... shall submit:") goes with what it leads."""
    pieces = [part for unit in units for part in _split_long(unit)]
    groups: list[list[Unit]] = []
    for unit in pieces:
        current = groups[-1] if groups else None
        size = sum(u.words for u in current) if current else 0
        if current is not None and current[0].path == unit.path and (
                size + unit.words <= MAX_WORDS) and (
                size < MIN_WORDS or (unit.words < MIN_WORDS and not unit.text.endswith(":"))):
            current.append(unit)
        else:
            groups.append([unit])
    # A tiny last group joins the one before it when they share a heading.
    merged: list[list[Unit]] = []
    for group in groups:
        size = sum(u.words for u in group)
        if merged and size < MIN_WORDS and merged[-1][0].path == group[0].path and (
                size + sum(u.words for u in merged[-1]) <= MAX_WORDS):
            merged[-1] += group
        else:
            merged.append(group)
    return [_block(group) for group in merged]
