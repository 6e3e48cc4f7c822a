"""Bridges between languages work both ways, and each language gets a fair share: the
candidates of every passage language merged on a par; acronyms known by what they stand
for in either language; a question for a name, a sum, a share or a head count answered
only by a passage that holds one about its subject."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.search.answer_kinds import held_kind, holds, subject_stems
from knowledge.search.mentions import Mentions, named_initials
from knowledge.search.ranking import POOL_RANK, best_first, on_a_par
from knowledge.search.results import PassageHit
from knowledge.text.lexicon import Lexicon, entries
from knowledge.text.words import texts_per_word


def hit(pid: str, score: float, language: str) -> PassageHit:
    return PassageHit(id=pid, source=f"{language}.md", title="", section="", paragraph=1,
                      url="", language=language, text="", score=score, similarity=score,
                      calibrated=0.0, sentence="", sentence_similarity=score)


def test_languages_are_merged_on_a_par_not_by_the_embedders_own_language() -> None:
    # The question's own language scores higher across the board (0.10 more here); the
    # German passage that stands out from its own pool leads, where the English pool
    # is flat.
    english = [hit(f"en{i}", 0.80 - 0.001 * i, "en") for i in range(POOL_RANK + 5)]
    german = [hit("de-answer", 0.75, "de"),
              *(hit(f"de{i}", 0.70 - 0.001 * i, "de") for i in range(POOL_RANK + 5))]
    merged = [h for pool in on_a_par([english, german]) for h in pool]
    assert best_first(merged, 1)[0].id == "de-answer"
    # Merged as scored, the English pool would have won.
    assert best_first([*english, *german], 1)[0].id == "en0"
    # Within a pool the order is the pool's own; a single language is left as it is.
    assert [h.id for h in best_first(on_a_par([english, german])[0], 3)] == \
        ["en0", "en1", "en2"]
    assert on_a_par([english]) == [english]
    assert on_a_par([english, german], off={"languages on a par"}) == [english, german]


def test_a_language_too_small_to_have_a_background_is_merged_as_scored() -> None:
    # One English note beside the German essay: measured against its own best passage,
    # the note's answer would fall below every German passage.
    note = [hit("note", 0.86, "en")]
    german = [hit(f"de{i}", 0.82 - 0.001 * i, "de") for i in range(POOL_RANK + 5)]
    merged = [h for pool in on_a_par([note, german]) for h in pool]
    assert best_first(merged, 1)[0].id == "note"
    assert on_a_par([note, german]) == [note, german]


def test_a_name_written_out_is_known_by_its_initials_in_either_language() -> None:
    assert "BSI" in named_initials(
        "Das Bundesamt für Sicherheit in der Informationstechnik (Bundesamt) ist zuständig.")
    assert "DPO" in named_initials("The Data Protection Officer of the controller shall")
    assert named_initials("Meldungen gehen an das Amt.") == set()
    mentions = Mentions(["Das Bundesamt für Sicherheit in der Informationstechnik prüft."])
    assert mentions.unknown("What does the BSI check?") == []
    assert mentions.unknown("What does the ENISA check?") == ["ENISA"]


def test_an_acronym_is_known_by_what_it_stands_for_and_by_its_twin() -> None:
    found = entries([
        "Datenschutz-Grundverordnung {f} /DSGVO/ (EU) :: General Data Protection Regulation "
        "/GDPR/ (EU)", "kritische Infrastrukturen /KRITIS/ :: critical infrastructures"])
    expansions = Lexicon.from_entries(found).acronyms()
    german = Mentions(["Betreiber kritischer Infrastrukturen melden Störungen."],
                      expansions=expansions)
    assert german.unknown("Was müssen KRITIS-Betreiber melden?") == []
    # One language's acronym known, the other's is known too: both ways.
    assert Mentions(["Die DSGVO gilt."], expansions=expansions).unknown(
        "Does the GDPR apply?") == []
    assert Mentions(["The GDPR applies."], expansions=expansions).unknown(
        "Gilt die DSGVO?") == []
    english = Mentions(["Operators of critical infrastructures report."],
                       expansions=expansions)
    assert english.unknown("What must KRITIS operators report?") == []
    assert Mentions(["Nothing here."], expansions=expansions).unknown(
        "What must KRITIS operators report?") == ["KRITIS"]


def test_glosses_run_both_ways() -> None:
    lexicon = Lexicon.from_entries(entries([
        "Geschäftsgeheimnis {n} | Geschäftsgeheimnisse {pl} :: trade secret | trade secrets",
        "Arbeitnehmer {m} | Arbeitnehmer {pl} :: employee | employees",
        "offenlegen {vt} :: to disclose", "Datenschutz-Grundverordnung {f} /DSGVO/ :: "
        "General Data Protection Regulation /GDPR/"]))
    german = texts_per_word(["Ein Arbeitnehmer darf ein Geschäftsgeheimnis offenlegen."])
    english = texts_per_word(["An employee may disclose a trade secret."])
    assert lexicon.gloss_in_german("May an employee disclose trade secrets?", german) == \
        "darf ein Arbeitnehmer offenlegen Geschäftsgeheimnisse ?"
    assert lexicon.gloss("Darf ein Arbeitnehmer Geschäftsgeheimnisse offenlegen?",
                         english) == "may a employee trade secrets to disclose ?"
    assert lexicon.gloss_in_german("Does the GDPR apply?", german).split()[1] == "DSGVO"
    assert "GDPR" in lexicon.gloss("Gilt die DSGVO?", english).split()


@pytest.mark.parametrize(("question", "kind"), [
    ("What is the BSI's annual budget?", "money"),
    ("Wie hoch ist das Gehalt eines Datenschutzbeauftragten?", "money"),
    ("Who is the current president of the BSI?", "person"),
    ("Wer leitet das BSI?", "person"),
    ("What percentage of operators reported an incident?", "share"),
    ("Wie viele Mitarbeiter hat das BSI?", "count"),
    ("Who pays the costs of the certification?", ""),
    ("Who must report incidents?", ""),
    ("How high can the periodic penalty payment be?", ""),
])
def test_what_only_a_passage_holding_one_answers(question: str, kind: str) -> None:
    assert held_kind(question) == kind


def test_a_passage_holds_it_only_about_the_questions_subject() -> None:
    office = "Die Geschäftsstelle hat 30 Beschäftigte. Sie berät die Länder."
    assert holds(office, "count")
    assert not holds(office, "count", subject_stems("Wie viele Abgeordnete hat das "
                                                    "Europäische Parlament?"))
    assert holds(office, "count", subject_stems("Wie viele Beschäftigte hat die "
                                                "Geschäftsstelle?"))
    budget = "The Agency's budget for 2025 amounts to EUR 25 million."
    assert holds(budget, "money", subject_stems("What is the agency's budget?"))
    assert not holds("The fine shall not exceed 1 % of the daily turnover.", "money")
    assert holds("Signed for the Council, Dr. Anna Weber", "person")
    assert not holds(replace(hit("x", 0.1, "en"), text="The president is elected.").text,
                     "person")
