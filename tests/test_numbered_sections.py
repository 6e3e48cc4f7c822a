"""Documents that are not EU acts: reports, specifications and licences number their
sections ("2.1 Scope"), print a table of contents with dot leaders, run a header naming
the chapter over each page, and (in plain text) underline headings or box a disclaimer
in stars. Before, such a report's passages had no heading path at all, its contents page
was three passages, and a licence's "6. Disclaimer of Warranty" was "* * ----- * *"
inside the text of section 5."""

from __future__ import annotations

from knowledge.passages.heading_lines import numbered_heading
from knowledge.passages.headings import PATH_SEPARATOR as SEP
from knowledge.passages.normalizing import paragraphs
from knowledge.passages.splitting import document_blocks, parse_bytes
from knowledge.reading.lines import markdown_lines, text_lines
from tests.pdf_maker import text_pdf

SCOPE = ("The review covers every public cloud contract that the ministries signed "
         "between 2019 and 2024, whatever its value.")
FINDING = ("Most contracts were awarded without a competitive tender, and nine in ten "
           "of them ran on the infrastructure of three providers.")
RECOMMENDATION = ("Ministries should publish every cloud contract above fifty thousand "
                  "euros within thirty days of signing it.")
TITLE = "Cloud Contracts in Public Administration"
METHOD = "Every tenth contract was drawn at random from the procurement register."
FILLER = ("This sentence stands for the ordinary body text of a report, which fills the "
          "printed column from margin to margin on every line of a page.")


def _wrapped(text: str, width: int = 90) -> list[str]:
    """Text as a PDF prints it: lines filling the column."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def report_pdf() -> bytes:
    body = " ".join([FILLER] * 3)
    pages = [
        [TITLE, "A review by the audit office", "i"],
        [TITLE, "Table of Contents",
         # A chapter's entry without a leader, an entry ending in "?".
         "1 Introduction 1",
         "2 Findings . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . 2",
         "2.1 Scope of the review . . . . . . . . . . . . . . . . . . . . . . . 2",
         "2.2 Contracts awarded . . . . . . . . . . . . . . . . . . . . . . . . 3",
         "2.3 What next? . . . . . . . . . . . . . . . . . . . . . . . . . . . . 3",
         "3 Recommendations 3",
         "Appendix A Method . . . . . . . . . . . . . . . . . . . . . . . . . . . 4",
         "ii"],
        [TITLE, "1 Introduction",
         *_wrapped(f"{body} The audit office looked at cloud contracts."), "1"],
        [TITLE, "Chapter 2: Findings 2", "2 Findings", "2.1 Scope of the review",
         *_wrapped(f"{SCOPE} {body}"),
         # A numbered paragraph whose first line fills the column is no heading.
         *_wrapped("2. Member States that are not part of the review may join it on "
                   "request, and the audit office shall then extend the scope of the "
                   "review to their contracts as well."),
         "2"],
        # Even pages run the page's number first, odd ones the section with it.
        ["4 Chapter 2: Findings", "2.2 Contracts awarded", *_wrapped(f"{FINDING} {body}"),
         "3 Recommendations", *_wrapped(f"{RECOMMENDATION} {body}"), "3"],
        ["3 Recommendations 5", *_wrapped(body), "CHAPTER", "FOUR", "METHOD",
         *_wrapped(body), "Appendix A Method",
         # A numbering starting anew under the appendix; steps inside a section are none.
         "1. Sampling", *_wrapped(f"{METHOD} {body}"), "6 Chapter 2: Findings"],
    ]
    return text_pdf(pages)


def test_a_reports_numbered_sections_make_its_heading_paths() -> None:
    title, blocks = parse_bytes(report_pdf(), "pdf", "fallback")
    # No title in the file's metadata: the running header is the title.
    assert title == TITLE
    by_text = {block.text: block.section for block in blocks}
    section = {needle: next(s for t, s in by_text.items() if needle in t)
               for needle in (SCOPE, FINDING, RECOMMENDATION)}
    assert section[SCOPE].startswith(f"2 Findings{SEP}2.1 Scope of the review")
    assert section[FINDING] == f"2 Findings{SEP}2.2 Contracts awarded"
    assert section[RECOMMENDATION] == "3 Recommendations"
    assert next(s for t, s in by_text.items() if METHOD in t) == (
        f"Appendix A: Method{SEP}1. Sampling")
    # A chapter whose number is spelled on a line of its own ("CHAPTER", "FOUR").
    assert "Chapter 4: Method" in {s for s in by_text.values()}
    text = " ".join(by_text)
    # The contents page, the running header naming the chapter, the page numbers.
    assert ". . . ." not in text and "Table of Contents" not in text
    assert "Chapter 2" not in text and TITLE not in text and "What next" not in text
    assert "Recommendations 5" not in text and "Introduction 1" not in text
    assert not any(block.text.endswith((" 2", " 3", " 5", " ii")) for block in blocks)
    # The numbered paragraph stays a paragraph of its section.
    member_states = next(b for b in blocks if "Member States that are not part" in b.text)
    assert member_states.section.startswith(f"2 Findings{SEP}2.1 Scope of the review")


LICENCE = """Demo Public Licence Version 1.0
===============================

1. Definitions
--------------

1.1. "Contributor"
    means each person that creates or contributes to the Covered Software.

1.2. "Incompatible With Other Licences"
    means

    (a) that the Contributor has attached the notice in Exhibit B; or

    (b) that the Covered Software was made available under version 0.9 only.

1.3. "You"
    means an individual or a legal entity exercising rights under this Licence.

2. Conditions
-------------

2.1. Distribution
Copies may be distributed in source form under the terms of this Licence only.

************************************************************************
*                                                                      *
*  3. Disclaimer of Warranty                                           *
*  -------------------------                                           *
*                                                                      *
*  Covered Software is provided under this Licence on an "as is"       *
*  basis, without warranty of any kind.                                *
*                                                                      *
************************************************************************

4. Termination
--------------

The rights granted under this Licence end automatically if You fail to comply.
"""


def test_a_plain_text_licence_keeps_its_underlined_and_boxed_sections() -> None:
    title, blocks = document_blocks(text_lines(LICENCE))
    assert title == "Demo Public Licence Version 1.0"
    sections = {block.section: block.text for block in blocks}
    assert sections["2. Conditions" + SEP + "2.1. Distribution"].startswith("Copies may")
    assert sections["3. Disclaimer of Warranty"] == (
        'Covered Software is provided under this Licence on an "as is" basis, without '
        "warranty of any kind.")
    assert sections["4. Termination"].startswith("The rights granted")
    text = " ".join(sections.values())
    assert "*" not in text and "---" not in text and "===" not in text
    # A definition's lead-in ending in "means" goes on in its points: it heads nothing,
    # and the definitions after it stay under "1. Definitions".
    definitions = [b for b in blocks if b.section.startswith("1. Definitions")]
    assert all("Incompatible" not in b.section for b in blocks)
    assert any('"You" means an individual' in b.text for b in definitions)


def test_a_plain_text_title_leaves_its_address_out() -> None:
    # Apache's licence opens with its name, its date and where it is published.
    text = ("                                 Apache License\n"
            "                           Version 2.0, January 2004\n"
            "                        http://www.apache.org/licenses/\n\n"
            "   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n\n"
            "   1. Definitions.\n\n"
            '      "License" shall mean the terms and conditions for use.\n')
    title, _ = document_blocks(text_lines(text))
    assert title == "Apache License Version 2.0, January 2004"


def test_setext_headings_in_markdown() -> None:
    lines = markdown_lines("Report\n======\n\nIntro text.\n\nFindings\n--------\n\nBody.\n"
                           "and more\n---\n")
    assert [(line.text, line.level) for line in lines if line.level > 0] == [
        ("Report", 1), ("Findings", 2)]
    # A rule under a paragraph's last line is a rule, not an underline.
    assert all(line.text != "---" for line in lines)


def test_numbered_headings_are_told_from_sentences_lists_and_tables() -> None:
    assert numbered_heading("2.1 Directory layout") == ("2.1", "Directory layout")
    assert numbered_heading("1. Introduction") == ("1", "Introduction")
    assert numbered_heading("1.2. What is this spec?") == ("1.2", "What is this spec?")
    assert numbered_heading("4. Conveying Verbatim Copies.") == ("4", "Conveying Verbatim Copies")
    # Sentences, clauses, a date, an article.
    assert numbered_heading("2. Paragraph 1 shall not apply.") is None
    assert numbered_heading("2. Die Kommission legt die Frist fest.") is None
    assert numbered_heading("3. where the manufacturer ceases its operations;") is None
    assert numbered_heading("2 August 2025, with the exception of") is None
    assert numbered_heading("2024 Annual Report") is None
    assert numbered_heading("1 Article 5") is None


def _sections(text: str) -> list[str]:
    _, blocks = document_blocks(text_lines(text))
    return [block.section for block in blocks]


def test_lists_tables_and_run_in_numbers_are_not_sections() -> None:
    # A list counting up one by one with nothing between.
    listed = ("Important products\n\nThe following products are important.\n\n"
              "11. Operating systems\n\n12. Routers and modems\n\n13. Microprocessors\n")
    assert not any("Operating systems" in s or "Routers" in s for s in _sections(listed))
    # A table's rows print the same number again and again.
    table = "Cache layout\n\nThe header holds these fields.\n\n" + "".join(
        f"4 CARD32 FIELD_{n}\n\n" for n in "ABCDE")
    assert not any("CARD32" in s for s in _sections(table))
    # "1. Definitions." alone, then "2. Grant. Subject to ..." run into their paragraphs:
    # numbered paragraphs, the first one short.
    run_in = ("Demo Licence\n\nTerms and conditions\n\n1. Definitions.\n\n\"Licence\" "
              "shall mean these terms.\n\n2. Grant of Licence. Subject to these terms, "
              "each Contributor grants You a licence.\n")
    assert _sections(run_in)[0].startswith("Terms and conditions")
    # A section number out of the count ("3.7" after "1") is a line of text.
    assert "3.7 Other Figures" not in " ".join(_sections(
        "Demo\n\n1. Introduction\n\nThe text begins.\n\n3.7 Other Figures\n\nMore text follows.\n"))


def test_paragraph_joining_stops_at_a_numbered_heading() -> None:
    # In plain text, "2.1. Grants" after "2. Grants and Conditions" is a heading of its
    # own, not the rest of a sentence broken off before it.
    found = paragraphs(text_lines("2. Grants and Conditions\n\n2.1. Grants\n\nText.\n"))
    assert [p.text for p in found] == ["2. Grants and Conditions", "2.1. Grants", "Text."]


def test_a_sentences_counted_parts_are_no_numbered_paragraphs() -> None:
    # "(1)" after a lead-in, going on in lower case, counts the parts of one sentence; the
    # paragraphs after it are no part of a paragraph "(1)".
    text = ("Demo Licence\n\nPreamble\n\nDevelopers protect your rights with two steps:\n"
            "(1) assert copyright on the software, and (2) offer you this Licence.\n\n"
            "Some devices are designed to deny users access to install modified software.\n\n"
            "0. Definitions.\n\n\"This Licence\" refers to version 1 of the Demo Licence.\n")
    sections = _sections(text)
    assert sections[0] == "Preamble" and "0. Definitions" in sections
