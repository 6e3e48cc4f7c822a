"""Normalization and structure on a regulation as a PDF converter leaves it: running
headers and footers, footnotes between body lines, sentences broken across pages,
"(n)" headings that are recitals, definitions or footnotes."""

from collections import Counter

from knowledge.passages.furniture import is_furniture_text
from knowledge.passages.heading_lines import structural_heading
from knowledge.passages.headings import PATH_SEPARATOR as SEP
from knowledge.passages.joining import join_lines
from knowledge.passages.normalizing import paragraphs
from knowledge.passages.splitting import document_blocks
from knowledge.reading.lines import Line, markdown_lines, page_lines

POINT = ("indicating the Member States on whose territory the product has been made "
         "available, the nature of the vulnerability and any corrective or mitigating "
         "measures taken or that users can take, as far as that information is available "
         "to the maker at that time;")

CONVERTED = f"""<!-- METADATA: Title: Demo Act -->
# Demo Act (Regulation 2030/1)

*Generated on: 2031-01-02 00:08:40*

Official Journal EN
of the European Union L series
2030/1 20.11.2030
I
(Legislative acts)
REGULATIONS

## REGULATION (EU) 2030/1 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL

of 1 March 2030 on demo rules for connected devices
THE EUROPEAN PARLIAMENT AND THE COUNCIL OF THE EUROPEAN UNION,
## Whereas Clauses

### (1)

 Demo rules are needed because the number of connected devices will rise in the coming
years and users cannot judge the security of the devices they buy or the software on them.
Two problems add costs for users and society: a low level of security and too little
information for the people who buy them.

### (2)

 This Regulation builds on Regulation (EU) 2019/881 of the European Parliament and of the
Council (1) and should apply across the internal market without further national measures,
so that manufacturers of connected devices in every part of the Union face

### (1)

## REGULATION (EU) 2019/881 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL
 of 17 April 2019 on ENISA (OJ L 151, 7.6.2019, p. 15).
ELI: http://data.europa.eu/eli/reg/2030/1/oj 1/3

EN
OJ L, 20.11.2030

one set of rules in every Member State, whatever the size of their business.

# CHAPTER I: GENERAL PROVISIONS

## Article 1: Definitions
For the purposes of this Regulation, the following definitions apply:

### (1)

 ‘device' means any product that connects to a network;

### (2)

 ‘maker' means a person who builds devices or has them built and sells them under its name;

## Article 2: Obligations

**1.** Makers shall report every actively exploited vulnerability through the single
reporting platform set up by the agency, and shall keep a record of each report for ten years.
ELI: http://data.europa.eu/eli/reg/2030/1/oj 2/3

EN
OJ L, 20.11.2030

**2.** For the purposes of paragraph 1, makers shall submit:
- (a) an early warning within 24 hours, {POINT}
- (b) a vulnerability notification within 72 hours, {POINT}
- (c) a final report within 14 days, {POINT.rstrip(";")}.

**3.** This Regulation shall apply from 2 August 2031, with the exception of Article 2, which
shall apply from
3/3 ELI: http://data.europa.eu/eli/reg/2030/1/oj

EN
OJ L, 20.11.2030

2 August 2032.

## Article 3: Amendment to Regulation (EU) 2019/1020
In Annex I to Regulation (EU) 2019/1020, the following point is added:
‘72.
## REGULATION (EU) 2030/1 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL
 (*).
_____________
(*)
## REGULATION (EU) 2030/1 OF THE EUROPEAN PARLIAMENT AND OF THE COUNCIL
 of 1 March 2030 on demo rules
for connected devices (OJ L, 2030/1, 20.11.2030).'.

This Regulation shall be binding in its entirety and directly applicable in all Member States.
Done at Strasbourg, 1 March 2030.
For the European Parliament For the Council
The President The President
A. EXAMPLE B. SAMPLE
"""


def blocks() -> list[tuple[str, str]]:
    title, found = document_blocks(markdown_lines(CONVERTED))
    assert title == "Demo Act (Regulation 2030/1)"
    return [(b.section, b.text) for b in found]


def test_page_furniture_and_footnotes_are_gone() -> None:
    everything = " ".join(f"{s} {t}" for s, t in blocks())
    for furniture in ("ELI:", "OJ L, 20.11.2030", "1/3", "3/3", "Official Journal EN",
                      "17 April 2019 on ENISA", "OJ L 151", "Generated on", "2030/1 20.11",
                      "Legislative acts", "REGULATIONS"):
        assert furniture not in everything
    assert not any("REGULATION (EU) 2019/881" in section for section, _ in blocks())


def test_sentences_broken_across_pages_are_joined() -> None:
    texts = [t for _, t in blocks()]
    assert any("in every part of the Union face one set of rules in every Member State, "
               "whatever the size of their business." in t for t in texts)
    assert any("which shall apply from 2 August 2032." in t for t in texts)
    assert all(t.rstrip().endswith((".", ";", ":", ",")) for t in texts)


def test_a_starred_note_in_an_amendment_is_left_out() -> None:
    amendment = next(t for s, t in blocks() if s.endswith("Regulation (EU) 2019/1020"))
    assert "OF THE COUNCIL (*). This Regulation shall be binding" in amendment
    everything = " ".join(t for _, t in blocks())
    assert "____" not in everything and "(OJ L, 2030/1" not in everything


def test_the_signature_block_and_its_closing_formula_go() -> None:
    last = blocks()[-1][1]
    # Two columns interleaved by the converter: no sentence, nothing to answer with.
    assert last.endswith("directly applicable in all Member States."), last
    everything = " ".join(t for _, t in blocks())
    assert "The President" not in everything and "Done at" not in everything


def test_heading_paths_follow_the_structure_of_the_text() -> None:
    found = blocks()
    sections = [s for s, _ in found]
    assert f"Recitals{SEP}(1)" in sections
    recital_two = dict(found)[f"Recitals{SEP}(2)"]
    assert recital_two.startswith("This Regulation builds on")  # not the footnote (1)
    definitions = [s for s, t in found if "‘device' means" in t]
    assert definitions == [f"Chapter I: General provisions{SEP}Article 1: Definitions"
                           f"{SEP}(1)–(2)"]
    point_b = [s for s, t in found if t.startswith("(b) a vulnerability notification")]
    assert point_b == [f"Chapter I: General provisions{SEP}Article 2: Obligations{SEP}"
                       f"For the purposes of paragraph 1, makers shall submit:{SEP}2(b)"]


def test_words_hyphenated_at_a_break_are_joined_as_the_document_writes_them() -> None:
    words = Counter({"wertschöpfungskette": 3, "third-party": 2, "thirdparty": 0})
    assert join_lines("die Wertschöp-", "fungskette bleibt", words) == (
        "die Wertschöpfungskette bleibt")
    assert join_lines("a third-", "party provider", words) == "a third-party provider"
    assert join_lines("Article 5", "applies", words) == "Article 5 applies"


def test_running_lines_repeated_on_every_page_are_dropped() -> None:
    pages = [f"ACME Annual Report 2030\nPage text number {n} goes on here.\n{n}"
             for n in range(1, 7)]
    texts = [p.text for p in paragraphs(page_lines(pages))]
    assert texts and all("ACME Annual Report" not in t for t in texts)
    assert " ".join(texts) == " ".join(f"Page text number {n} goes on here."
                                        for n in range(1, 7))


def test_a_short_reports_header_goes_and_its_repeated_table_lines_stay() -> None:
    # Three pages: the header stands on each, too few times for the count that a long
    # document needs. A table's line printed in each table ("4 CARD32 MIME_TYPE_OFFSET",
    # as in the shared MIME-info specification) repeats more often, but inside the pages,
    # and is the text's.
    def page(n: int) -> str:
        return "\n".join([
            "Policy Brief 3/2026 - Compute and Sovereignty", f"Section {n} opens here.",
            f"Table {n} lists the fields:", "4 CARD32 N_ENTRIES", "4 CARD32 MIME_TYPE_OFFSET",
            "4 CARD32 WEIGHT", "4 CARD32 MIME_TYPE_OFFSET", f"Section {n} closes here.",
            "The next table follows.", str(n)])
    text = " ".join(p.text for p in paragraphs(page_lines([page(n) for n in (1, 2, 3)])))
    assert "Policy Brief" not in text
    assert text.count("4 CARD32 MIME_TYPE_OFFSET") == 6


def test_structural_headings_are_told_from_wrapped_lines() -> None:
    assert structural_heading("Article 5: Prohibited AI practices") == (
        "article", "5", "Prohibited AI practices")
    assert structural_heading("CHAPTER II") == ("chapter", "II", "")
    assert structural_heading("Part II EU-type examination") == (
        "chapter", "II", "EU-type examination")
    for wrapped in ("Article 32(2) and (3) start applying", "Annex I.",
                    "Annex I and of the processes put in place", "Article 2 Scope"):
        assert structural_heading(wrapped) is None


def test_a_long_line_of_spaces_is_parsed_in_linear_time() -> None:
    # "#" then 48,000 spaces took 27 s with a backtracking heading regex.
    lines = markdown_lines("#" + " " * 48_000 + "x\n\n" + "y " * 20_000)
    assert next(line for line in lines if line.text) == Line("x", 1)


def test_the_journals_running_header_is_furniture_in_each_edition() -> None:
    for header in ("OJ L, 12.7.2024", "EN OJ L, 12.7.2024", "ABl. L vom 12.7.2024",
                   "DE ABl. L vom 12.7.2024", "JO L du 12.7.2024"):
        assert is_furniture_text(header), header
    assert not is_furniture_text("ABl. L vom 12.7.2024 gilt ab heute")


def test_typeset_characters_become_the_letters_a_reader_sees() -> None:
    # PDF text: a ligature, a word broken at a soft hyphen at the line's end, a soft
    # hyphen left inside a word, a zero-width space; DORA's converted text has
    # "Interinsti\xad-" at a line's end.
    page = ("Die Verant\xad\nwortung der \ufb01nanziellen Einrich\xadtung\u200b liegt beim "
            "Leitungsorgan, nach der Interinsti\xad-\ntutional Agreement.\n\n"
            "The Interinstitutional Agreement applies.")
    texts = [p.text for p in paragraphs(page_lines([page]))]
    assert texts[0] == ("Die Verantwortung der finanziellen Einrichtung liegt beim "
                        "Leitungsorgan, nach der Interinstitutional Agreement.")
