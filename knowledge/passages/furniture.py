"""Lines printed on a document that are not its text: running headers and footers, page
numbers, contents pages, signature blocks."""

from __future__ import annotations

import re
from collections import Counter

from knowledge.passages.heading_lines import structural_heading
from knowledge.passages.line_ends import ends_sentence, reads_as_sentence
from knowledge.reading.lines import BREAK, Line

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


def shape(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.split()))


def is_furniture_text(text: str) -> bool:
    return bool(_FURNITURE.fullmatch(text.strip()))


def furniture(lines: list[Line]) -> set[int]:
    """Indexes of lines that are page furniture, by printed form or by repetition."""
    body = [(i, line) for i, line in enumerate(lines) if line.level == 0 and line.text]
    # A running header or footer repeats at the pages' edges; a line of the text that
    # wraps like another ("4 CARD32 MIME_TYPE_OFFSET" in each of a specification's tables)
    # stands anywhere, and is kept. So a line is furniture by repetition only where the
    # pages are known: a PDF's, or those a converter's page marks show in its text. In a
    # text without either (Markdown, a statute), a short line said four times is text:
    # "der Verordnung (EU)" five times, the opening words of four sections.
    breaks = sum(line.level < 0 for line in lines)
    marks = [] if breaks else [i for i, line in body if _PAGE_MARK.fullmatch(line.text.strip())]
    pages = breaks + len(marks) + 1
    edges = _page_edges(lines) if breaks else \
        _marked_edges(body, marks) if len(marks) >= _MIN_PAGE_MARKS else set()
    # A short report's header stands on its two or three pages only.
    repeats = min(max(_RUNNING_MIN_REPEATS, pages // 4), max(2, (pages + 1) // 2))
    counts = Counter(shape(line.text) for i, line in body
                     if len(line.text) <= _RUNNING_MAX_CHARS and i in edges)
    found: set[int] = set()
    for i, line in body:
        key = shape(line.text)
        if is_furniture_text(line.text) or _TOC_ENTRY.fullmatch(line.text) or (
            i in edges
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


# A converter's page marks in a text without page breaks: the lines a printed page ends or
# begins with ("ELI: http://data.europa.eu/eli/reg/2024/2847/oj 31/81", "OJ L, 20.11.2024",
# "Page 3 of 10", "31/81"). Fewer than this many mark no pages.
_PAGE_MARK = re.compile(
    r"ELI:\s*https?://\S+\s+\d{1,4}/\d{1,4}|\d{1,4}/\d{1,4}\s+ELI:\s*https?://\S+"
    r"|(?:EN|DE|FR)?\s*(?:OJ L,?|ABl\.\s*L\s+vom|JO\s*L\s+du)\s*\d{1,2}\.\d{1,2}\.\d{4}"
    r"|.*(?:Official Journal of the European Union|Amtsblatt der Europäischen Union)"
    r"\s+[LC]\s*\d+/\d+.*|[LC]\s*\d+/\d+\s+(?:EN|DE|FR)\s+.*"
    r"|(?:Page|Seite)\s+\d{1,4}(?:\s+(?:of|von)\s+\d{1,4})?|\d{1,4}\s*/\s*\d{1,4}")
_MIN_PAGE_MARKS = 3


def _marked_edges(body: list[tuple[int, Line]], marks: list[int]) -> set[int]:
    """The first and last few lines of text between a converter's page marks."""
    edges: set[int] = set()
    page: list[int] = []
    for i, _ in body:
        if i in marks:
            edges.update(page[:_EDGE_LINES] + page[-_EDGE_LINES:])
            page = []
        else:
            page.append(i)
    return edges | set(page[:_EDGE_LINES] + page[-_EDGE_LINES:])


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


def running_title(lines: list[Line], dropped: set[int]) -> str:
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
                    or len(after.text) > _RUNNING_MAX_CHARS or reads_as_sentence(after.text)
                    or structural_heading(after.text) is not None):
                break
            found.add(j)
            taken += 1
    return found
