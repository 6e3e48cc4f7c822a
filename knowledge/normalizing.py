"""From the lines of a converted document to clean paragraphs.

Official documents reach us through PDF: running headers ("EN OJ L, 20.11.2024"),
footers ("ELI: http://data.europa.eu/eli/reg/2024/2847/oj 31/81"), page numbers,
footnotes between body lines, signature blocks in two interleaved columns, words
hyphenated at line ends and sentences broken across pages. Measured on the dev corpus
before this module existed: 2,033 passages, many of them furniture, a hundred headed by a
footnote's title. Here furniture and signature blocks are dropped, footnotes are set
apart, and broken lines and paragraphs are joined again.

Everything is decided from the text: a line is furniture because of its printed form or
because it repeats page after page, a footnote because of where it stands (a numbered run
just above a page footer, continuing the document's footnote count) and what it says.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.lines import BREAK, EMPHASIS, Line

# Printed forms of page furniture in official journals (EU, and the German Bundesgesetz-
# blatt's "BGBl." lines) and of bare page numbers.
_FURNITURE = re.compile(
    r"(?:"
    r"ELI:\s*https?://\S+(?:\s+\d{1,4}/\d{1,4})?"
    r"|\d{1,4}/\d{1,4}\s+ELI:\s*https?://\S+"
    # The running header of the journal's English, German and French editions.
    r"|(?:EN|DE|FR)?\s*(?:OJ L,?|ABl\.\s*L\s+vom|JO\s*L\s+du)\s*\d{1,2}\.\d{1,2}\.\d{4}"
    r"|(?:\d{1,2}\.\d{1,2}\.\d{4}\s+)?(?:EN|DE|FR)\s+(?:Official Journal of the European Union|"
    r"Amtsblatt der Europäischen Union)(?:\s+[LC]\s*\d+/\d+)?"
    r"|[LC]\s*\d+/\d+\s+(?:EN|DE|FR)\s+(?:Official Journal of the European Union|"
    r"Amtsblatt der Europäischen Union)(?:\s+\d{1,2}\.\d{1,2}\.\d{4})?"
    r"|(?:Official Journal|Amtsblatt)\s+(?:EN|DE|FR)"
    r"|(?:of the European Union|der Europäischen Union)\s+[LC]\s+(?:series|Reihe)"
    r"|(?:Page|Seite)\s+\d{1,4}(?:\s+(?:of|von)\s+\d{1,4})?"
    # The journal's language code on a line of its own, as running headers print it.
    r"|BG|ES|CS|DA|DE|ET|EL|EN|FR|GA|HR|IT|LV|LT|HU|MT|NL|PL|PT|RO|SK|SL|FI|SV"
    r"|[-–]?\s*\d{1,4}\s*[-–]?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    # The rule above a footnote ("_____________"), and Markdown's thematic break.
    r"|_{3,}"
    # The journal's series headings ("I", "(Legislative acts)", "REGULATIONS", an act's
    # number and date: "2024/2847 20.11.2024"), and a converter's time stamp.
    r"|I|II|\d{4}/\d{1,5}\s+\d{1,2}\.\d{1,2}\.\d{4}"
    r"|\((?:Legislative acts|Non-legislative acts|Gesetzgebungsakte|"
    r"Rechtsakte ohne Gesetzescharakter)\)"
    r"|REGULATIONS|DIRECTIVES|DECISIONS|VERORDNUNGEN|RICHTLINIEN|BESCHLÜSSE"
    r"|\*?(?:Generated on|Erstellt am):?\s*[\d\-.:T ]+\*?"
    # A front matter's page numbers ("iv"), and the heading of a table of contents,
    # whose entries go too (see _TOC_ENTRY).
    r"|[ivxl]{1,5}|(?:Table of )?Contents|Inhaltsverzeichnis|Inhalt|Table des matières"
    r")"
)
# A line this short that repeats on many pages is a running header or footer.
_RUNNING_MAX_CHARS = 80
_RUNNING_MIN_REPEATS = 4
_DIGITS = re.compile(r"\d+")
_ENUMERATOR = re.compile(r"[(\[](?:#|[a-z]{1,3})[.)\]]?|(?:#|[a-z]{1,3})[.)\]]", re.IGNORECASE)
# A footnote: "(12)" then its text, or the text right after the marker on the same line.
FOOTNOTE_MARK = re.compile(r"\((\d{1,3})\)(?:\s+|$)")
_CITATION = re.compile(
    r"\bOJ [LC]\b|\bp\. \d|\bABl\. [LC]\b|\bS\. \d|^(?:Regulation|Directive|Decision|"
    r"Commission|Council|Position of the European Parliament|Verordnung|Richtlinie|"
    r"Beschluss|Standpunkt des Europäischen Parlaments|Opinion of|See |Siehe )",
    re.IGNORECASE,
)
# A note that does not read as a reference is taken only when it is this short and
# continues the count: recitals and definitions are numbered the same way.
_FOOTNOTE_MAX_WORDS = 25
ENDS_SENTENCE = re.compile(r"[.!?:;…][\"'”“»«)\]]*$")
_LIST_END = re.compile(r"(?:,|;|\b(?:and|or|und|oder))$")
MAX_JOINED_CHARS = 20_000
# End-anchored patterns are matched against a text's tail only: searched over a whole
# paragraph at each joined line they made a 2 MB one-paragraph page quadratic (seconds
# per megabyte).
_TAIL = 32


def ends_sentence(text: str) -> bool:
    return bool(ENDS_SENTENCE.search(text[-_TAIL:]))


def _ends_list_item(text: str) -> bool:
    return bool(_LIST_END.search(text[-_TAIL:]))
_HYPHENATED = re.compile(r"([^\W\d_]+)-$")
_WORD_START = re.compile(r"([^\W\d_]+)")
# A paragraph starts anew at a numbered paragraph or a lettered point ("(a)", German "a)").
STARTS_UNIT = re.compile(
    r"(?:\*\*\d{1,3}\.\*\*|\d{1,3}\.\s+\S|-\s+\(|\((?:[a-z]{1,2}|[ivxlc]{1,6}|\d{1,3})\)\s"
    r"|[a-z]{1,2}\)\s)"
)


# Headings that official documents print as lines of their own: kind, number, title.
_KINDS = {
    "chapter": "CHAPTER|Chapter|KAPITEL|Kapitel|TITLE|TITEL|PART|Part|TEIL|Teil",
    "section": "SECTION|Section",
    # German sections print their title without a separator ("Abschnitt 2 Pflichten");
    # an English "Section 2 The ..." is as often a wrapped line.
    "abschnitt": "ABSCHNITT|Abschnitt",
    "annex": "ANNEX|Annex|ANHANG|Anhang",
    # A report's or manual's appendix, numbered by a letter too ("Appendix A Copying").
    "appendix": "APPENDIX|Appendix",
    "article": "Article|Artikel|Art\\.",
    # German statutes: "§ 3 Meldepflichten der Hersteller", a title without a separator.
    "statute": "§",
}
# What follows "§ 3" in a citation that a line wrapped at ("§ 3 Absatz 1 eine Meldung"),
# never a section's title.
_CITATION_GOES_ON = re.compile(r"(?:Abs\.|Absatz|Satz|S\.|Nr\.|Nummer|Buchst\.|bis|und|oder|"
                               r"des|der|in|gilt|ist|sind)\b")
STRUCTURAL = {
    kind: re.compile(
        rf"(?:{words})\s*(?P<number>[IVXLC]+|\d{{1,3}}[a-z]?"
        + (r"|[A-Z](?![\w’'])" if kind == "appendix" else "") + ")"
        + ("?" if kind == "annex" else "")
        # A title follows a separator; "Article 32(2) and (3) apply" is a wrapped line.
        # Parts and annexes also print it without one ("Part II EU-type examination"), and
        # so do German statutes ("Abschnitt 2 Pflichten", "§ 3 Meldepflichten").
        + (r"\b(?:\s*[:.–—-]\s*|\s+(?=[A-ZÄÖÜ]))?"
           if kind in {"chapter", "annex", "appendix", "abschnitt", "statute"}
           else r"\b(?:\s*[:.–—-]\s*(?=[^\W\d_]))?")
        + r"(?P<title>(?<=[\s:.–—-])[^\W\d_][^.;:]{0,160}?)?\s*"
    )
    for kind, words in _KINDS.items()
}


def structural_heading(text: str) -> tuple[str, str, str] | None:
    """("article", "5", "Prohibited AI practices") for a heading line, else None."""
    # A wrapped line ("Annex I.", "Annex VII. For products ..., which are") ends or
    # continues a sentence; a heading line does neither.
    if len(text) > 200 or text.endswith((".", ",", ";", ":")):
        return None
    for kind, pattern in STRUCTURAL.items():
        match = pattern.fullmatch(text)
        if match and kind == "statute" and _CITATION_GOES_ON.match(match.group("title") or ""):
            continue
        if match and match.group("title") and not match.group("number"):
            continue  # "Annex I and of the processes ...": a bare "ANNEX" has no title
        between = text[match.end("number"):match.start("title")] if match and match.group(
            "title") else ""
        if match and not (text[match.end("number"):].lstrip().startswith(".")
                          and not text.split(maxsplit=1)[0].isupper()) and not (
                between.strip() == "" and match.group("title")
                and not match.group("title")[:1].isupper()):
            return kind, match.group("number") or "", match.group("title") or ""
    return None


# Reports, specifications and licences number their sections instead: "2.1 Directory
# layout", "1. Introduction", "0. Definitions.".
_SECTION_NUMBER = re.compile(r"(?P<number>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<title>\S.*)")
_NUMBERED_TITLE_WORDS = 12
# A title ending in a full stop is told from a short sentence by its capitals: "Conveying
# Verbatim Copies." is a title, "Paragraph 1 shall not apply." a sentence.
_TITLE_CAPITALS = 0.6
_LONG_WORD = re.compile(r"[^\W\d_]{4,}")
# "2 August 2025, with the exception of": a date a page broke a sentence before.
_DATE = re.compile(r"(?:January|February|March|April|May|June|July|August|September|"
                   r"October|November|December|Januar|Februar|März|Juni|Juli|Oktober|"
                   r"Dezember)\b")


def numbered_heading(text: str) -> tuple[str, str] | None:
    """("2.1", "Directory layout") for a numbered section's heading, else None."""
    match = _SECTION_NUMBER.fullmatch(text.strip())
    if not match or _DATE.match(match["title"]):
        return None
    title = match["title"].strip()
    if (not title[:1].isupper() or len(title) > 100 or len(title.split()) > _NUMBERED_TITLE_WORDS
            or title.endswith((",", ";", ":")) or structural_heading(title) is not None):
        return None
    if title.endswith("."):
        words = _LONG_WORD.findall(title)
        if not words or sum(w[0].isupper() for w in words) < _TITLE_CAPITALS * len(words):
            return None
        title = title[:-1]
    return match["number"], title


@dataclass(frozen=True)
class Paragraph:
    """A heading, or a paragraph joined from its lines."""

    text: str
    level: int = 0  # heading level from the format; 0 for a paragraph


def shape(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.split()))


def is_furniture_text(text: str) -> bool:
    return bool(_FURNITURE.fullmatch(text.strip()))


def furniture(lines: list[Line]) -> set[int]:
    """Indexes of lines that are page furniture, by printed form or by repetition."""
    body = [(i, line) for i, line in enumerate(lines) if line.level == 0 and line.text]
    pages = sum(line.level < 0 for line in lines) + 1
    repeats = max(_RUNNING_MIN_REPEATS, pages // 4)
    # Where the pages are known (a PDF), a running header or footer repeats at the pages'
    # edges; a line of the text that wraps like another ("4 CARD32 MIME_TYPE_OFFSET" in
    # each of a specification's tables) stands anywhere, and is kept. A short report's
    # header stands on its two or three pages only.
    edges = _page_edges(lines) if pages > 1 else None
    if edges is not None:
        repeats = min(repeats, max(2, (pages + 1) // 2))
    counts = Counter(shape(line.text) for i, line in body
                     if len(line.text) <= _RUNNING_MAX_CHARS and (edges is None or i in edges))
    found: set[int] = set()
    for i, line in body:
        key = shape(line.text)
        if is_furniture_text(line.text) or _TOC_ENTRY.fullmatch(line.text) or (
            (edges is None or i in edges)
            and counts.get(key, 0) >= repeats and not _ENUMERATOR.fullmatch(key)
            and not ends_sentence(line.text) and any(c.isalpha() for c in key)
            and structural_heading(line.text) is None  # "Article ##" repeats, and is text
        ):
            found.add(i)
    return found | _contents_neighbours(body, found) | _paged_headers(lines, found)


# Lines at each end of a page that may be its running header or footer (a header, its
# rule's caption, the page number).
_EDGE_LINES = 3


def _pages(lines: list[Line], dropped: set[int] | frozenset[int] = frozenset()
           ) -> list[list[int]]:
    """Each page's lines of text (not dropped), as indexes."""
    pages: list[list[int]] = []
    page: list[int] = []
    for i, line in enumerate([*lines, BREAK]):
        if line.level < 0:
            pages.append(page)
            page = []
        elif line.level == 0 and line.text and i not in dropped:
            page.append(i)
    return pages


def _page_edges(lines: list[Line]) -> set[int]:
    """Indexes of the first and last few lines of text on each page."""
    return {i for page in _pages(lines) for i in page[:_EDGE_LINES] + page[-_EDGE_LINES:]}


def _contents_neighbours(body: list[tuple[int, Line]], found: set[int]) -> set[int]:
    """A contents page's lines without a dot leader ("6 Best Packaging Practices 65", a
    chapter's entry): a title and a page number between entries that have one."""
    contents = {i for i, line in body if i in found and _TOC_ENTRY.fullmatch(line.text)}
    entries: set[int] = set()
    # Entries without a leader may follow one another ("1 Scope 3", "2 Duties 5"): a run
    # beside an entry with one is taken forwards, then backwards.
    for run in (body, body[::-1]):
        beside = False
        for i, line in run:
            if i in contents or i in entries:
                beside = True
            elif beside and i not in found and _ENDS_IN_PAGE.fullmatch(line.text):
                entries.add(i)
            else:
                beside = False
    return entries


def _running_title(lines: list[Line], dropped: set[int]) -> str:
    """The document's first line where it runs over every page as a header too ("Shared
    MIME-info Database"): a title, which the running header's removal would lose."""
    first = next((i for i, line in enumerate(lines) if line.text), None)
    if first is None or lines[first].level != 0 or is_furniture_text(lines[first].text):
        return ""
    return lines[first].text if first in dropped else ""


# A table of contents' entry: a title, a dot leader, a page number ("2.3 Simple parsing
# . . . . . 4", "Introduction ........ iii").
_TOC_ENTRY = re.compile(r".*?\S(?:\s*\.){4,}\s*(?:\d{1,4}|[ivxlc]{1,6})", re.IGNORECASE)
# A running header that names the chapter and ends with the page's number ("Chapter 2:
# ASN.1 structure handling 3"): it changes with each chapter, so it repeats too few times
# to be caught by repetition alone, but it stands at a page's edge each time.
_PAGE_NUMBERED = re.compile(r"[^\W\d_].*\s\d{1,4}|\d{1,4}\s.*[^\W\d_].*")
_ENDS_IN_PAGE = re.compile(r"(.*[^\W\d_].*)\s\d{1,4}")
_STARTS_WITH_PAGE = re.compile(r"\d{1,4}\s(.*[^\W\d_].*)")
_LOOSE = re.compile(r"[\s.]+")
_EDGE_MIN_REPEATS = 2


def _paged_headers(lines: list[Line], dropped: set[int]) -> set[int]:
    """Indexes of page-numbered lines that open or close two or more pages alike."""
    edges = [i for page in _pages(lines, dropped) for i in page[:1] + page[-1:]]
    if len(edges) < 2 * _EDGE_MIN_REPEATS:
        return set()
    candidates = [i for i in dict.fromkeys(edges) if _is_page_numbered(lines[i].text)]
    counts = Counter(shape(lines[i].text) for i in candidates)
    # "4.5. Die Entwicklerdatenbank 19" over the one page of section 4.5: a heading of the
    # text again, with the page's number.
    headings = {_loose(line.text) for i, line in enumerate(lines)
                if line.text and i not in dropped and len(line.text) <= _RUNNING_MAX_CHARS}
    return {i for i in candidates if counts[shape(lines[i].text)] >= _EDGE_MIN_REPEATS
            or (_without_page(lines[i].text) and _loose(_without_page(lines[i].text))
                in headings)}


def _loose(text: str) -> str:
    return _LOOSE.sub(" ", text).strip().lower()


def _without_page(text: str) -> str:
    match = _ENDS_IN_PAGE.fullmatch(text) or _STARTS_WITH_PAGE.fullmatch(text)
    return match.group(1) if match else ""


def _is_page_numbered(text: str) -> bool:
    if len(text) > _RUNNING_MAX_CHARS or ends_sentence(text) or not _PAGE_NUMBERED.fullmatch(
            text):
        return False
    found = structural_heading(text)
    # "Article 5" at the top of two pages is the text's own heading.
    return found is None or bool(found[2])


def _page_ends(lines: list[Line], dropped: set[int]) -> list[int]:
    """Where a page's own text ends: before each run of furniture or a page break."""
    ends = []
    for i, line in enumerate(lines):
        starts_run = (i in dropped or line.level < 0) and i > 0 and (
            i - 1 not in dropped and lines[i - 1].level >= 0)
        if starts_run:
            ends.append(i)
    ends.append(len(lines))
    return ends


def _marker(line: Line) -> int | None:
    match = FOOTNOTE_MARK.match(line.text)
    return int(match.group(1)) if match else None


def footnotes(lines: list[Line], dropped: set[int]) -> set[int]:
    """Indexes of footnote lines: numbered runs standing just above a page's end.

    Recitals and definitions are numbered "(n)" too; a run is taken for footnotes when it
    continues the document's footnote count and is short, or when every note reads as a
    reference ("OJ L 151, 7.6.2019, p. 15", "Regulation (EU) ...").
    """
    found: set[int] = set()
    last = 0
    above = _kept_above(lines, dropped)
    for end in _page_ends(lines, dropped):
        run: list[tuple[int, int, int]] = []  # (number, first line, end line), bottom up
        cursor = end
        while True:
            start = _note_start(lines, dropped, above, cursor)
            if start is None:
                break
            number = _marker(lines[start])
            if number is None or (run and number != run[-1][0] - 1):
                break
            run.append((number, start, cursor))
            cursor = start
        if run and _opens_page_or_section(lines, above, run[-1][1]):
            # "§ 4 Bußgeldvorschriften" then "(1) ...", "(2) ...": a section's numbered
            # paragraphs, which a page or the document happens to end with. Notes stand
            # under a page's text, never alone on it.
            continue
        # Only the notes that fit the count (or read as references) are taken.
        while run:
            notes = list(reversed(run))
            texts = [_note_text(lines, s, e, dropped) for _, s, e in notes]
            referential = all(_CITATION.search(t) for t in texts)
            short = all(len(t.split()) <= _FOOTNOTE_MAX_WORDS for t in texts)
            referential = referential and all(len(t.split()) <= 4 * _FOOTNOTE_MAX_WORDS
                                              for t in texts)
            if (notes[0][0] == last + 1 and short) or (referential and notes[0][0] > last):
                for _, s, e in notes:
                    found.update(range(s, e))
                last = notes[-1][0]
                break
            run.pop()  # the topmost may be a recital: try the notes below it alone
    return found


def _opens_page_or_section(lines: list[Line], above: list[int], start: int) -> bool:
    """Whether nothing of the page's text stands above `start`, or a heading does (a
    footnote's title that a converter made one aside)."""
    i = above[start]
    if i < 0 or lines[i].level < 0:
        return True
    if _is_reference_title(lines[i].text):
        return False
    return lines[i].heading or structural_heading(lines[i].text) is not None


def _kept_above(lines: list[Line], dropped: set[int]) -> list[int]:
    """For each index (and one past the last), the nearest line above it that is neither
    blank nor dropped (-1: none); worked out once, not by scanning up from every page's
    end (a page of 12,000 dropped lines between blanks made that quadratic)."""
    above = [-1] * (len(lines) + 1)
    for i in range(1, len(lines) + 1):
        kept = not lines[i - 1].blank and i - 1 not in dropped
        above[i] = i - 1 if kept else above[i - 1]
    return above


def _note_start(lines: list[Line], dropped: set[int], above: list[int],
                end: int) -> int | None:
    """The line opening the note that ends at `end` (exclusive), if it is numbered."""
    i = above[end]
    while i >= 0 and lines[i].level >= 0 and i not in dropped:
        if _marker(lines[i]) is not None:
            return i
        if lines[i].heading and not _is_reference_title(lines[i].text):
            return None
        i -= 1
    return None


def _is_reference_title(text: str) -> bool:
    # A footnote's title that a converter made a heading: "REGULATION (EU) 2019/881 OF ..."
    return bool(re.match(r"(?:REGULATION|DIRECTIVE|DECISION|VERORDNUNG|RICHTLINIE)\b", text))


def _note_text(lines: list[Line], start: int, end: int, dropped: set[int]) -> str:
    text = " ".join(lines[i].text for i in range(start, end) if i not in dropped)
    return FOOTNOTE_MARK.sub("", text, count=1).strip()


# An act's closing formula; the signature block under it is printed in two columns that
# conversion interleaves ("For the European Parliament For the Council", "The President
# The President", "R. METSOLA M. BEK"): no sentence, no answer, and a passage ending in it
# ended mid-sentence. The formula goes too: its date is the answer to no question but
# "when was it signed" (the title holds that date), and it stood in the last article's
# passage as the date nearest to "When does the regulation enter into force?".
_CLOSING_FORMULA = re.compile(r"(?:Done at|Geschehen zu|Fait à)\b.*\d{4}\.\s*$")
_SIGNATURE_MAX_LINES = 8


def signature_blocks(lines: list[Line], dropped: set[int]) -> set[int]:
    """Indexes of the lines of signature blocks: a closing formula ("Done at Strasbourg,
    14 December 2022.") and the short, unpunctuated lines right under it."""
    found: set[int] = set()
    for i, line in enumerate(lines):
        if line.level != 0 or not _CLOSING_FORMULA.match(line.text):
            continue
        found.add(i)
        taken = 0
        for j in range(i + 1, len(lines)):
            if j in dropped or lines[j].level < 0:
                continue
            after = lines[j]
            if (after.blank or after.heading or taken == _SIGNATURE_MAX_LINES
                    or len(after.text) > _RUNNING_MAX_CHARS or _reads_as_sentence(after.text)
                    or structural_heading(after.text) is not None):
                break
            found.add(j)
            taken += 1
    return found


# A note an amending article carries inside the text it inserts: "(*)" under the text,
# then the reference ("REGULATION (EU) 2022/2554 ... (OJ L 333, 27.12.2022, p. 1).").
_STARRED = re.compile(r"\(\*{1,3}\)")
_NOTE_MAX_LINES = 8


def starred_notes(lines: list[Line], dropped: set[int]) -> set[int]:
    """Indexes of the lines of "(*)" notes that read as references: from the marker to
    the line that ends the note's sentence."""
    found: set[int] = set()
    for i, line in enumerate(lines):
        if line.level != 0 or not _STARRED.match(line.text) or i in dropped:
            continue
        note: list[int] = []
        for j in range(i, min(len(lines), i + _NOTE_MAX_LINES)):
            if j in dropped or lines[j].level < 0:
                continue
            after = lines[j]
            if after.blank or (after.heading and not _is_reference_title(after.text)):
                break
            note.append(j)
            if ends_sentence(after.text):
                break
        text = " ".join(lines[j].text for j in note)
        if _CITATION.search(_STARRED.sub("", text, count=1).strip()) or any(
                _is_reference_title(lines[j].text) for j in note):
            found.update(note)
    return found


def _reads_as_sentence(text: str) -> bool:
    # "R. METSOLA ZSIGMOND B. P." ends in a full stop, but only names and initials do.
    return ends_sentence(text) and bool(re.search(r"\b[a-zäöüß]{4,}\b", text))


def vocabulary(lines: Iterable[Line]) -> Counter[str]:
    words: Counter[str] = Counter()
    for line in lines:
        words.update(w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", line.text))
    return words


def join_lines(first: str, second: str, words: Counter[str]) -> str:
    """Join two wrapped lines; a word hyphenated at the break is made whole again
    ("Wertschöp-" + "fungskette"), a compound keeps its hyphen ("third-" + "party"),
    decided by which form the document itself uses more; before a capital the hyphen is
    the compound's ("Debian-" + "Maschinen")."""
    hyphenated = _HYPHENATED.search(first[-_TAIL:])
    start = _WORD_START.match(second)
    if hyphenated and start and second[:1].isupper():
        return first + second  # "Debian-" + "Maschinen": a compound's own hyphen
    if hyphenated and start and second[:1].islower():
        head, tail = hyphenated.group(1).lower(), start.group(1).lower()
        if words[head + tail] > words[f"{head}-{tail}"]:
            return first[:-1] + second
        return first + second
    return f"{first} {second}"


def left_out(lines: list[Line]) -> set[int]:
    """Indexes of the lines that are not the document's running text."""
    dropped = furniture(lines)
    dropped |= footnotes(lines, dropped)
    dropped |= starred_notes(lines, dropped)
    return dropped | signature_blocks(lines, dropped)


# "CHAPTER" over "TWO" over "APPLYING TO BECOME A MEMBER", as Sphinx prints a chapter.
_CHAPTER_WORD = re.compile(r"CHAPTER|Chapter|KAPITEL|Kapitel")
_NUMBER_WORDS = {word: n for n, word in enumerate((
    "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN",
    "TWELVE", "THIRTEEN", "FOURTEEN", "FIFTEEN", "SIXTEEN", "SEVENTEEN", "EIGHTEEN",
    "NINETEEN", "TWENTY"), start=1)}


def _spelled_chapters(lines: list[Line]) -> list[Line]:
    """A chapter's word and its number on two lines made one heading line ("Chapter
    2"); the lines keep their count (the second becomes blank)."""
    result = list(lines)
    for i in range(len(lines) - 1):
        number = lines[i + 1].text.strip()
        if _CHAPTER_WORD.fullmatch(lines[i].text.strip()) and (
                number.upper() in _NUMBER_WORDS or number.isdigit()):
            value = _NUMBER_WORDS.get(number.upper()) or int(number)
            result[i] = Line(f"{lines[i].text.strip()} {value}", lines[i].level)
            result[i + 1] = Line("")
    return result


def paragraphs(lines: list[Line]) -> list[Paragraph]:
    """Clean paragraphs and headings, furniture and footnotes left out."""
    return normalized(lines)[1]


def normalized(lines: list[Line]) -> tuple[str, list[Paragraph]]:
    """The title a running header prints ("" if none) and the clean paragraphs."""
    lines = _spelled_chapters(lines)
    dropped = left_out(lines)
    return _running_title(lines, dropped), _paragraphs(lines, dropped)


def _paragraphs(lines: list[Line], dropped: set[int]) -> list[Paragraph]:
    words = vocabulary(line for i, line in enumerate(lines) if i not in dropped)
    result: list[Paragraph] = []
    # The current paragraph's lines as joined so far; one string at the flush (appending
    # to a growing string copies it each time).
    current: list[str] = []
    pdf_like = any(line.level < 0 for line in lines)
    usual = _usual_length(lines, dropped)

    crossed = False  # a page break or furniture since the last paragraph
    title_may_follow = False  # the line before was "Article 5": this may be its title

    def flush() -> None:
        nonlocal current, crossed
        if current:
            _append_joined(result, " ".join(" ".join(current).split()), crossed)
            current = []
            crossed = False

    def stand_alone(text: str, level: int = 0) -> None:
        # A heading or title: nothing after it goes on from it, even across a page.
        nonlocal crossed
        flush()
        result.append(Paragraph(" ".join(text.split()), level))
        crossed = False

    for i, line in enumerate(lines):
        if i in dropped or line.level < 0:
            crossed = True
            continue  # a page break or furniture: the paragraph may go on
        if line.blank:
            flush()
            continue
        # A format's heading ("REGULATION (EU) 2017/745 OF THE ..." as one is body text a
        # converter marked), or "Article 5", "CHAPTER II" on a line of its own.
        if (line.heading and not _is_reference_title(line.text)) or structural_heading(
                line.text):
            stand_alone(line.text, max(line.level, 0))
            title_may_follow = not line.heading
            continue
        # "Reporting obligations of manufacturers" under "Article 14"; "2.1 Directory
        # layout" over its section's first line (PDF text, and some plain text, has no
        # blank line between them).
        title = title_may_follow and not current and _is_title(line.text)
        title_may_follow = False
        if title or _stands_as_heading(line.text, current, usual, crossed):
            stand_alone(line.text)
            continue
        if current and STARTS_UNIT.match(line.text) and (
                ends_sentence(current[-1]) or _ends_list_item(current[-1])):
            flush()
        text = EMPHASIS.sub(r"\2", line.text)
        if current:
            joined = join_lines(current[-1], text, words)
            # Joined with a space: a new part; a hyphenated word made whole: the same part.
            if joined == f"{current[-1]} {text}":
                current.append(text)
            else:
                current[-1] = joined
        else:
            current.append(text)
        # In PDF text a paragraph's last line ends a sentence well short of the column.
        if pdf_like and ends_sentence(line.text) and len(line.text) < _SHORT_LINE * usual:
            flush()
    flush()
    return result


# A line shorter than this share of the usual one ends its paragraph (in PDF text).
_SHORT_LINE = 0.75


def _stands_as_heading(text: str, current: list[str], usual: float, crossed: bool) -> bool:
    """Whether a line is a numbered section's heading: short, after a paragraph's end
    (a finished sentence, a line short of the column, or a new page: chapters start one).
    Short is what tells it from a numbered paragraph's first line ("2. Member States may
    designate" over "one or more ..."), which fills the column."""
    if len(text) >= _SHORT_LINE * usual or numbered_heading(text) is None:
        return False
    return not (current and not crossed and not ends_sentence(current[-1])
                and len(current[-1]) >= _SHORT_LINE * usual)


def _is_title(text: str) -> bool:
    return len(text.split()) <= 16 and not ends_sentence(text) and text[:1].isupper()


def _usual_length(lines: list[Line], dropped: set[int]) -> float:
    lengths = sorted(len(line.text) for i, line in enumerate(lines)
                     if line.level == 0 and line.text and i not in dropped)
    return float(lengths[len(lengths) // 2]) if lengths else 0.0


def _append_joined(result: list[Paragraph], text: str, crossed: bool) -> None:
    """A paragraph that goes on where the previous one broke off joins it: no end mark
    before, and after it a lower-case word or a number, or anything across a page."""
    previous = result[-1] if result else None
    # No real paragraph is this long; joining onto one would copy it at every join.
    if previous is not None and len(previous.text) > MAX_JOINED_CHARS:
        previous = None
    if (previous is not None and previous.level == 0 and not ends_sentence(previous.text)
            and not _ends_list_item(previous.text) and not STARTS_UNIT.match(text)
            and (text[:1].islower() or text[:1].isdigit() or crossed)
            # "2.1 Directory layout" then "2.1.1 ...": a heading ends nothing to go on.
            and numbered_heading(previous.text) is None):
        result[-1] = Paragraph(f"{previous.text} {text}")
    else:
        result.append(Paragraph(text))
