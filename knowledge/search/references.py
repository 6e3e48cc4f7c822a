"""Provisions a question asks for by number: "Article 14", "Art. 13(8)", "Artikel 19
Absatz 1", "recital 60", "Erwägungsgrund 60", "Annex I, Part II", "§ 3 Abs. 2".

A policy team names provisions the way the law is cited; the embedder cannot tell Article
14 from Article 41, and every passage of every act reads "Article ..." somewhere. So the
numbers are matched against the heading path each passage keeps ("Chapter II › Article
14: Reporting obligations › 2", "Recitals › (60)", "Annex I: ... › Part II: ... › (4)"),
read once per knowledge-base snapshot.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from knowledge.passages.heading_lines import structural_heading
from knowledge.passages.headings import PART, PATH_SEPARATOR, is_recital
from knowledge.search.answer_kinds import OPENING_QUOTE

ARTICLE, STATUTE, RECITAL, ANNEX, CHAPTER = "article", "statute", "recital", "annex", "chapter"
# A paragraph asked for alone ("And paragraph 3?"): of the article asked about before.
PARAGRAPH = "paragraph"
# German law cites a definition as "Artikel 3 Nummer 61" ("Nr. 61").
_PARAGRAPH_WORD = r"\b(?:paragraphs?|paras?\.|Absatz|Absätzen?|Abs\.|Nummern?|Nr\.)\s*"
# Further paragraphs after the first: "paragraphs 1, 2 and 4", "Absätze 2 und 3".
_AND_NUMBERS = r"(?:\s*(?:,|and|und|or|oder)\s*\d{1,3}\b)*"

_ROMAN = r"(?-i:[IVXLC]{1,7})\b"
_ORDINAL = _ROMAN + r"|\d{1,2}\b"  # of an annex or a chapter
_NUMBER = r"\d{1,3}[a-z]?\b"


def _paragraph(name: str) -> str:
    """ "(8)", ", paragraph 8", " Abs. 8" after a provision's number; a numbered point
    ("Article 3, point (61)": a definition) is read as a paragraph."""
    return (rf"(?:\s*\((?P<{name}>\d{{1,3}})\)|,?\s*point\s*\((?P<{name}_point>\d{{1,3}})\)"
            r"|,?\s*" + _PARAGRAPH_WORD
            + rf"(?P<{name}_words>\d{{1,3}})\b(?P<{name}_more>" + _AND_NUMBERS + "))?")


_POINT = (r"(?:\s*\((?P<point>[a-z]{1,2}|[ivx]{1,5})\)|,?\s*(?:point|Buchstabe|lit\.|"
          r"Buchst\.)\s*\(?(?P<point2>[a-z]{1,2})\)?)?")
# "Articles 14 and 15", "recitals (58), (59) und (60)": more of the same kind. An
# article's "(2) and (3)" are its paragraphs (read apart), not articles.
_MORE = r"(?P<{0}>(?:\s*(?:,|and|und|or|oder)\s*{1}\d{{1,3}}[a-z]?\b{2})*)"
_LISTED = re.compile(r"\d{1,3}[a-z]?")
_ASKED = re.compile(
    r"(?:(?P<article>\b(?:Articles?|Artikels?|Art\.)\s*)(?P<article_no>" + _NUMBER + r")"
    + _paragraph("paragraph") + _POINT
    # An article's listed paragraphs, "(1), (2) and (4)": numbers only, no "(3a)".
    + r"(?P<more_paragraphs>(?:\s*(?:,|and|und|or|oder)\s*\(\d{1,3}\))*)"
    + _MORE.format("more_articles", "", r"(?!\()")
    + r"|(?P<statute>§\s*)(?P<statute_no>" + _NUMBER + r")" + _paragraph("subsection")
    + r"|" + _PARAGRAPH_WORD + r"(?P<paragraph_first>\d{1,3})\b"
      r"(?P<paragraph_first_more>" + _AND_NUMBERS + r")\s+(?:of|des|von)\s+"
      r"(?:Articles?|Artikels?|Art\.)\s*(?P<article_after>" + _NUMBER + r")"
    + r"|" + _PARAGRAPH_WORD + r"(?P<paragraph_alone>\d{1,3})\b"
      r"(?P<paragraph_alone_more>" + _AND_NUMBERS + r")"
    + r"|\b(?:recitals?|Erwägungsgründen?|Erwägungsgrunds?|Erwägungsgrund(?:es)?|"
      r"considérant)\s*\(?(?P<recital_no>\d{1,3})\)?"
    + _MORE.format("more_recitals", r"\(?", r"\)?")
    + r"|\b(?:Part|Teil)\s+(?P<part_first>" + _ROMAN + r")\s+(?:of|des|von)\s+"
      r"(?:Annex|Anhang|Anhangs)\s+(?P<annex_after>" + _ORDINAL + r")"
    + r"|\b(?:Chapter|Kapitels?|Title|Titels?)\s+(?P<chapter_no>" + _ORDINAL + r")"
    + r"|\b(?:Annex|Anhang|Anhangs)\s+(?P<annex_no>" + _ORDINAL + r")"
      r"(?:,?\s*(?:Part|Teil)\s+(?P<part_after>" + _ROMAN + r"))?"
    + r")",
    re.IGNORECASE,
)
# The last segment: a paragraph or a run of them ("2", "10–11", "5(b)", "(60)", "(83)–(84)").
_NUMBERS = re.compile(r"\(?(\d{1,3})\)?(?:\(([a-z]{1,2}|[ivx]{1,5})\))?"
                      r"(?:\s*[–-]\s*\(?(\d{1,3})\)?)?")


@dataclass(frozen=True)
class Reference:
    """One provision asked for: its kind and number, and the paragraph and point or the
    annex's part where the question narrows it."""

    kind: str
    number: str
    paragraph: int = 0
    point: str = ""
    part: str = ""

    @property
    def name(self) -> str:
        """As a reader would write it: "Article 13(8)(a)", "recital 60", "Annex I, Part II"."""
        if self.kind == RECITAL:
            return f"recital {self.number}"
        if self.kind == PARAGRAPH:
            return f"paragraph {self.paragraph}"
        if self.kind == STATUTE:
            return f"§ {self.number}" + (f"({self.paragraph})" if self.paragraph else "")
        name = f"{self.kind.capitalize()} {self.number}"
        if self.part:
            return f"{name}, Part {self.part}"
        return name + (f"({self.paragraph})" if self.paragraph else "") + (
            f"({self.point})" if self.point else "")


def references_in(question: str) -> list[Reference]:
    """The provisions a question cites, in its order; none for one that cites nothing."""
    found: list[Reference] = []
    for match in _ASKED.finditer(question):
        groups = match.groupdict()
        if groups["article_no"]:
            paragraph = (groups["paragraph"] or groups["paragraph_words"]
                         or groups["paragraph_point"] or "0")
            point = (groups["point"] or groups["point2"] or "").lower()
            found.append(Reference(ARTICLE, groups["article_no"].lower(), int(paragraph),
                                   point))
            found += [Reference(ARTICLE, groups["article_no"].lower(), int(number))
                      for number in _numbers(groups["paragraph_more"],
                                             groups["more_paragraphs"])]
            found += [Reference(ARTICLE, number.lower())
                      for number in _LISTED.findall(groups["more_articles"])]
        elif groups["article_after"]:
            found += [Reference(ARTICLE, groups["article_after"].lower(), int(number))
                      for number in _numbers(groups["paragraph_first"],
                                             groups["paragraph_first_more"])]
        elif groups["paragraph_alone"]:
            found += [Reference(PARAGRAPH, "", int(number))
                      for number in _numbers(groups["paragraph_alone"],
                                             groups["paragraph_alone_more"])]
        elif groups["statute_no"]:
            paragraph = (groups["subsection"] or groups["subsection_words"]
                         or groups["subsection_point"] or "0")
            found.append(Reference(STATUTE, groups["statute_no"].lower(), int(paragraph)))
            found += [Reference(STATUTE, groups["statute_no"].lower(), int(number))
                      for number in _numbers(groups["subsection_more"])]
        elif groups["recital_no"]:
            found.append(Reference(RECITAL, groups["recital_no"]))
            found += [Reference(RECITAL, number)
                      for number in _LISTED.findall(groups["more_recitals"])]
        elif groups["chapter_no"]:
            found.append(Reference(CHAPTER, groups["chapter_no"].upper()))
        else:
            annex = groups["annex_after"] or groups["annex_no"]
            part = groups["part_first"] or groups["part_after"] or ""
            found.append(Reference(ANNEX, annex.upper(), part=part.upper()))
    return list(dict.fromkeys(found))


def _numbers(*listed: str | None) -> list[str]:
    """The numbers of the listed paragraphs, in their order."""
    return [number for text in listed for number in _LISTED.findall(text or "")]


def in_context(references: list[Reference], earlier: Sequence[str]) -> list[Reference]:
    """A paragraph asked for alone ("And paragraph 3?") as a paragraph of the article the
    earlier questions (latest last) asked about last; left out where none did."""
    if all(reference.kind != PARAGRAPH for reference in references):
        return references
    article = next((reference for question in reversed(earlier)
                    for reference in reversed(references_in(question))
                    if reference.kind == ARTICLE), None)
    return [replace(article, paragraph=reference.paragraph, point="")
            if reference.kind == PARAGRAPH and article is not None else reference
            for reference in references
            if reference.kind != PARAGRAPH or article is not None]


@dataclass(frozen=True)
class Place:
    """Where a passage stands, read from its heading path."""

    kind: str = ""
    number: str = ""
    part: str = ""
    first: int = 0  # the paragraphs (or recitals) it holds, first to last; 0: unnumbered
    last: int = 0
    point: str = ""
    chapter: str = ""


def place_of(section: str) -> Place:
    """Read with the structure reader's own heading recogniser, segment by segment."""
    segments = section.split(PATH_SEPARATOR)
    numbers: dict[str, str] = {}
    for segment in segments:
        found = structural_heading(segment)
        if found is not None:
            kind, number, _ = found
            if kind == CHAPTER and PART.match(segment):
                kind = "part"  # an annex's part (a top-level one stands as a chapter)
            numbers.setdefault(kind, number.lower() if number.isdigit() or kind in {
                ARTICLE, STATUTE} else number.upper())
    tail = _NUMBERS.fullmatch(segments[-1].strip()) if len(segments) > 1 else None
    first = int(tail.group(1)) if tail else 0
    last = int(tail.group(3) or first) if tail else 0
    point = (tail.group(2) or "") if tail else ""
    chapter = numbers.get(CHAPTER, "")
    if is_recital(section):
        return Place(RECITAL, "", "", first, last, chapter=chapter)
    for kind in (ARTICLE, STATUTE):
        if kind in numbers:
            return Place(kind, numbers[kind], "", first, last, point, chapter)
    if ANNEX in numbers:
        return Place(ANNEX, numbers[ANNEX], numbers.get("part", ""), chapter=chapter)
    return Place(chapter=chapter)


# Where a unit of a run starts: a quoted term at the start, after the lead-in's ":" or
# after the previous unit's ";" ("...: ‘software' means ...; ‘hardware' means ...;").
_UNIT_START = re.compile(r"(?:^|(?<=[;:]))\s*(?=" + OPENING_QUOTE + ")")


def unit_of(text: str, section: str, number: int) -> str:
    """Unit `number` of a passage that runs several together and numbers them only in
    its heading path ("Article 3: Definitions › (1)–(8)": eight definitions, each ending
    with ";"), without the lead-in; "" where the text does not split into as many."""
    place = place_of(section)
    if not place.first < place.last or not place.first <= number <= place.last:
        return ""
    starts = [match.end() for match in _UNIT_START.finditer(text)]
    if len(starts) != place.last - place.first + 1:
        return ""
    ends = [*starts[1:], len(text)]
    index = number - place.first
    return text[starts[index]:ends[index]].strip()


def _holds(place: Place, reference: Reference) -> bool:
    """Whether a passage belongs to the provision (any of its paragraphs)."""
    if reference.kind == CHAPTER:
        return place.chapter == reference.number
    if place.kind != reference.kind:
        return False
    if reference.kind == RECITAL:
        return place.first <= int(reference.number) <= place.last
    if place.number != reference.number:
        return False
    return reference.kind != ANNEX or not reference.part or place.part == reference.part


def _narrows(place: Place, reference: Reference) -> bool:
    """Whether a passage of the provision is the paragraph (and point) asked for."""
    if not reference.paragraph or not place.first <= reference.paragraph <= place.last:
        return False
    return not reference.point or not place.point or place.point == reference.point


@dataclass(frozen=True)
class Cited:
    passage_id: str
    source: str
    exact: bool  # the paragraph or point asked for, not only its article


class Provisions:
    """Passage ids by the provision they belong to, for one language's passages."""

    def __init__(self, passages: Iterable[tuple[str, str, str, int]]) -> None:
        """`passages`: id, source, heading path and place in the document, each."""
        self._places: list[tuple[str, int, str, Place]] = sorted(
            (source, order, passage_id, place_of(section))
            for passage_id, source, section, order in passages)
        self.kinds: dict[str, set[str]] = {}  # kinds of provision each source has
        for source, _, _, place in self._places:
            kinds = self.kinds.setdefault(source, set())
            if place.kind:
                kinds.add(place.kind)
            if place.chapter:
                kinds.add(CHAPTER)

    def cited(self, reference: Reference, sources: frozenset[str],
              per_source: int = 0) -> list[Cited]:
        """The provision's passages in the given sources (every source if none), in
        document order, the first `per_source` of each document (0: all); where the
        question names a paragraph, only those passages if any hold it."""
        held = [Cited(passage_id, source, _narrows(place, reference))
                for source, _, passage_id, place in self._places
                if (not sources or source in sources) and _holds(place, reference)]
        chosen = [cited for cited in held if cited.exact] or held
        if not per_source:
            return chosen
        counted: Counter[str] = Counter()
        kept: list[Cited] = []
        for cited in chosen:
            counted[cited.source] += 1
            if counted[cited.source] <= per_source:
                kept.append(cited)
        return kept
