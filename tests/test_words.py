"""The word toolbox and the legal vocabulary (knowledge/text/words.py, legal_words.py):
one definition of a word, of a stem, of an act's title and of a month for every floor."""

from __future__ import annotations

import re

from knowledge.passages.heading_lines import numbered_heading
from knowledge.search.answer_kinds import carries, subject_stems, term_key
from knowledge.search.naming import Titles
from knowledge.text.legal_words import MONTH, is_act_title
from knowledge.text.words import (
    FUNCTION_WORDS,
    beginning,
    content_stems,
    content_words,
    letter_words,
    parts,
    stems,
    texts_per_word,
    without_ending,
    word_counts,
    words,
)


def test_a_word_is_letters_and_digits_and_a_letter_word_letters_only() -> None:
    assert words("NIS2-Richtlinie, Art. 21(2)") == ["nis2", "richtlinie", "art", "21", "2"]
    assert letter_words("NIS2-Richtlinie, Art. 21(2)") == ["nis", "richtlinie", "art"]
    assert parts("KI-Verordnung  (EU)") == ["ki", "verordnung", "(eu)"]


def test_content_words_leave_out_function_words_and_short_ones() -> None:
    assert {"the", "der", "für", "with"} <= FUNCTION_WORDS
    assert content_words("The Act applies to the EU") == {"act", "applies", "eu"}
    assert content_words("Die Geschäftsstelle hat 30 Beschäftigte", 4) == {
        "geschäftsstelle", "beschäftigte"}


def test_stems_are_english_and_german_snowball_stems() -> None:
    assert "beschaftigt" in stems("beschäftigten")
    assert set(stems("beschäftigte")) & set(stems("beschäftigten"))
    assert "vulner" in set(stems("vulnerabilities")) & set(stems("vulnerability"))
    assert content_stems("Reporting obligations") & content_stems("report an obligation")
    # A sentence about the office, not about the Parliament the question asks of.
    assert not subject_stems("Wie viele Abgeordnete hat das Europäische Parlament?") & \
        subject_stems("Die Geschäftsstelle hat 30 Beschäftigte.")


def test_a_beginning_finds_a_word_in_another_languages_compound() -> None:
    assert beginning("resilience") == "resili"
    assert beginning("resilience") in "cyberresilienz-verordnung"
    titles = Titles({"cra.md": "Cyber Resilience Act"})
    assert titles.named_in("Was verlangt die Cyberresilienz-Verordnung?").specific == {"cra.md"}


def test_a_terms_ending_is_taken_off_for_its_key() -> None:
    assert without_ending("sweeps") == "sweep"
    assert without_ending("vulnerabilities") == without_ending("vulnerability") == \
        "vulnerabilit"
    assert term_key("Sweeps") == term_key("sweep")
    assert without_ending("data") == "data"  # four letters: kept whole


def test_the_two_counts_say_what_they_count() -> None:
    # How often each word stands (the hyphenation of a line's end is decided by it).
    counts = word_counts(["third-party providers", "a third party", "third-party"])
    assert counts["third-party"] == 2
    assert counts["third"] == 1
    # In how many texts each word stands (a gloss's sense is chosen by it), any language.
    held = texts_per_word(["The framework, the framework", "Der Rahmen", "a framework"])
    assert held["framework"] == 2
    assert held["rahmen"] == 1
    assert texts_per_word(["Zürich"]) == {"zürich": 1}


def test_an_acts_title_is_its_kind_and_its_institution_in_capitals() -> None:
    assert is_act_title("REGULATION (EU) 2019/881 OF THE EUROPEAN PARLIAMENT AND OF THE "
                        "COUNCIL")
    assert is_act_title("VERORDNUNG (EU) 2016/679 DES EUROPÄISCHEN PARLAMENTS UND DES RATES")
    assert is_act_title("BESCHLUSS (EU) 2022/2481 DES EUROPÄISCHEN PARLAMENTS UND DES RATES")
    assert not is_act_title("REGULATORY SANDBOXES")
    assert not is_act_title("DECISION-MAKING")
    assert not is_act_title("Regulation of the European Parliament and of the Council")


def test_months_are_written_once_for_dates_and_headings() -> None:
    assert re.fullmatch(MONTH, "Mai") and re.fullmatch(MONTH, "December")
    # "2 August 2025, with the exception of" is a date a page broke before, no heading.
    assert numbered_heading("2 August 2025, with the exception of") is None
    assert numbered_heading("1 Mai Bestimmungen") is None
    assert numbered_heading("2 Scope") == ("2", "Scope")
    assert carries("The obligations apply from 11 December 2027 onwards.", "time")
    assert carries("Die Pflichten gelten ab dem 1. Mai 2025 für alle.", "time")
