"""Which lines are headings: an act's "Article 5" or "§ 3 Meldepflichten", a report's "2.1
Directory layout"."""

from __future__ import annotations

import re

from knowledge.text.legal_words import MONTH
from knowledge.text.words import LONG_WORD

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
# "2 August 2025, with the exception of": a date a page broke a sentence before.
_DATE = re.compile(MONTH + r"\b")


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
        words = LONG_WORD.findall(title)
        if not words or sum(w[0].isupper() for w in words) < _TITLE_CAPITALS * len(words):
            return None
        title = title[:-1]
    return match["number"], title
