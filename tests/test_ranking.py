"""Ranking a search's candidates: word overlap within a language, the documents a
question names first, the article over the recital that restates it, what a statement
carries, which sentence of a passage is quoted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.answering.extractive import MAX_CITATIONS, choose_cited, quote_of
from knowledge.search import ranking
from knowledge.search.answer_kinds import Kind, carries, defined_term, defines
from knowledge.search.asked import Asked, read_question
from knowledge.search.naming import Named
from knowledge.search.overlap import overlap_shares
from knowledge.search.ranking import named_documents_first, named_leads, questions_words
from knowledge.search.results import PassageHit

ARTICLE = ("3. The support period shall be at least five years. Where the product with "
           "digital elements is expected to be in use for less than five years, the support "
           "period shall correspond to the expected use time.")
RECITAL = ("The support period for which the manufacturer ensures the effective handling "
           "of vulnerabilities should be no less than five years, unless the expected use "
           "time of the product with digital elements is less than five years.")
OTHER = "Manufacturers shall keep the technical documentation at the disposal of authorities."


def hit(pid: str, text: str, score: float, section: str = "Chapter II › Article 13",
        language: str = "en") -> PassageHit:
    return PassageHit(id=pid, source="cra.md", title="CRA", section=section, paragraph=1,
                      url="", language=language, text=text, score=score, similarity=0.8,
                      calibrated=0.05, sentence=text.split(". ", maxsplit=1)[0] + ".",
                      sentence_similarity=0.8)


def test_rare_question_words_weigh_more_than_common_ones() -> None:
    texts = [ARTICLE, RECITAL, OTHER, "The manufacturer shall inform the authority."]
    shares = overlap_shares("How long must the support period be at least?", texts)
    assert shares[0] > shares[1] > shares[2] == 0.0
    # Inflected forms meet at their stem, in both languages.
    assert overlap_shares("Who designates the providers?",
                          ["The Joint Committee shall designate providers."])[0] > 0
    assert overlap_shares("Wer benennt die Anbieter?", ["Die Behörde benannte Anbieter."])[0] > 0
    assert overlap_shares("the of and", texts) == [0.0] * 4


def test_overlap_reorders_a_language_and_keeps_its_scores() -> None:
    hits = [hit("recital", RECITAL, 0.050), hit("article", ARTICLE, 0.045),
            hit("other", OTHER, 0.044)]
    ranked = questions_words(hits, read_question("How long must the support period be at "
                                                 "least?"), 3)
    by_score = sorted(ranked, key=lambda h: -h.score)
    assert [h.id for h in by_score][:2] == ["article", "recital"]
    # The scores handed out are the language's own: comparing languages stays as it was.
    assert sorted(h.score for h in ranked) == sorted(h.score for h in hits)


def test_a_german_question_does_not_lift_its_own_language() -> None:
    question = "Wer benennt die kritischen IKT-Drittdienstleister?"
    german = [hit("essay", "Die kritischen Fragen der Souveränität bleiben offen.", 0.03,
                  language="de")]
    assert questions_words(german, read_question(question), 3)[0].score == 0.03


def test_the_article_is_cited_instead_of_the_recital_that_restates_it() -> None:
    question = "How long must the support period be at least?"
    recital = hit("recital", RECITAL, 0.050, section="Recitals › (60)")
    article = hit("article", ARTICLE, 0.048)
    cited = choose_cited([recital, article], read_question(question))
    assert [h.id for h in cited] == ["article"]
    # Two articles saying the same keep the first.
    twin = hit("twin", ARTICLE, 0.047, section="Chapter II › Article 14")
    assert [h.id for h in choose_cited([article, twin], read_question(question))] == ["article"]


def test_a_named_document_leads_without_reordering_its_own_passages() -> None:
    essay = [replace(hit("e1", "Die Politik muss aufwachen.", 0.020), source="essay.txt"),
             replace(hit("e2", "Der Hype ist verständlich.", 0.010), source="essay.txt")]
    dora = [replace(hit("d1", OTHER, 0.040), source="dora.md")]
    assert not named_leads([*dora, *essay], {"essay.txt"})
    ranked = named_documents_first([*dora, *essay], naming("essay.txt"), 3)
    order = sorted(ranked, key=lambda h: -h.score)
    assert [h.id for h in order] == ["e1", "e2", "d1"]
    assert order[0].score - order[1].score == pytest.approx(0.010)
    # Leading on its own, it is left as it was, and says so.
    assert named_leads([*essay, *dora], {"dora.md"})
    assert named_documents_first([*essay, *dora], naming("dora.md"), 3) == [*essay, *dora]
    # Nothing named among the hits: nothing moves.
    assert named_documents_first(dora, naming("essay.txt"), 3) == dora


def naming(source: str) -> Asked:
    return replace(read_question("What does it demand?"),
                   named=Named(frozenset({source}), frozenset()))


@pytest.mark.parametrize(("sentence", "kind", "expected"), [
    ("This Regulation shall apply from 11 December 2027, with some exceptions.", "time", True),
    ("By 2030 the Commission shall review this Regulation in full.", "time", True),
    # An act's number is no date.
    ("In Annex I to Regulation (EU) 2019/1020, the following point is added.", "time", False),
    ("Toys covered by Directive 2009/48/EC of the European Parliament apply.", "time", False),
    ("Financial entities shall carry out testing at least every 3 years.", "quantity", True),
    ("The manufacturer shall comply with Article 16(1) of this Regulation.", "quantity", False),
    ("Die Politik muss aufwachen.", "demand", False),  # too short to carry a demand
])
def test_what_a_statement_carries(sentence: str, kind: Kind, expected: bool) -> None:
    assert carries(sentence, kind) is expected


@pytest.mark.parametrize(("question", "term"), [
    ("What are sweeps under the Cyber Resilience Act?", "sweeps"),
    ("Was versteht man unter einem Verwalter quelloffener Software?",
     "Verwalter quelloffener Software"),
    ('What does "support period" mean?', "support period"),
    ("Was ist das Middleman-Paradox?", "Middleman-Paradox"),
    # Not a question about a term's meaning.
    ("What does the author demand from policymakers?", ""),
    ("What is the role of the management body in ICT risk management?", ""),
])
def test_the_term_a_question_asks_the_meaning_of(question: str, term: str) -> None:
    assert defined_term(question) == term


@pytest.mark.parametrize(("sentence", "expected"), [
    ("1. Market surveillance authorities shall conduct simultaneous coordinated control "
     "actions (sweeps) of particular categories.", True),
    ("‘sweep’ means a coordinated control action.", True),
    ("Sweeps are coordinated control actions of several authorities.", True),
    ("Those sweeps may include inspections of products acquired under a cover identity.",
     False),
])
def test_a_sentence_that_defines_the_term(sentence: str, expected: bool) -> None:
    assert defines(sentence, "sweeps") is expected


SWEEP_SENTENCES = (
    "1. Market surveillance authorities shall conduct simultaneous coordinated control "
    "actions (sweeps) of particular products.",
    "2. Unless otherwise agreed, sweeps shall be coordinated by the Commission.",
    "Those sweeps may include inspections of products acquired under a cover identity.")


def test_a_question_about_a_term_quotes_its_definition() -> None:
    first, second, third = SWEEP_SENTENCES
    found = replace(hit("s", " ".join(SWEEP_SENTENCES), 0.1), matched=(
        (third, 0.906), (second, 0.900), (first, 0.899)))
    sweeps = read_question("What are sweeps under the Cyber Resilience Act?")
    assert quote_of(found, sweeps) == first
    other = quote_of(found, read_question("Who may take part in sweeps?"))
    assert third in other and first not in other


def test_of_two_sentences_apart_the_better_is_quoted_not_the_longer() -> None:
    text = ("Article 64 enters into force on the twentieth day. It shall apply from 17 "
            "January 2025. This Regulation shall be binding in its entirety. Done at "
            "Strasbourg, 14 December 2022.")
    found = replace(hit("d", text, 0.1), matched=(
        ("It shall apply from 17 January 2025.", 0.884),
        ("Done at Strasbourg, 14 December 2022.", 0.883)))
    assert quote_of(found, read_question("From when does the act apply?")) == \
        "It shall apply from 17 January 2025."


def test_a_statement_too_short_to_say_anything_is_not_the_quote() -> None:
    text = ("Die Politik muss aufwachen. Reine Förderung von Forschung reicht nicht. Wir "
            "brauchen eine massive, koordinierte europäische Investition in "
            "High-Performance-Computing-Zentren.")
    found = replace(hit("e", text, 0.1, language="de"), matched=(
        ("Die Politik muss aufwachen.", 0.822), (text.rsplit(". ", 1)[-1], 0.806)))
    assert "High-Performance-Computing-Zentren" in quote_of(
        found, read_question("Was fordert der Autor von der Politik?"))


def test_a_longer_quote_holding_a_short_earlier_ones_words_is_still_cited() -> None:
    short = hit("a", "Der Hype um Open Source in Europa ist verständlich.", 0.058, language="de")
    longer = hit("b", "Wenn Europa diese Lektion nicht lernt, wird der Open-Source-Hype nur ein "
                 "kultureller Erfolg sein, kein strategischer Sieg.", 0.048, language="de")
    again = hit("c", "Den Hype um Open Source in Europa verstehen wir.", 0.047, language="de")
    cited = choose_cited([short, longer, again], read_question("What will the hype be?"))
    assert [h.id for h in cited] == ["a", "b"]


def test_the_stages_constants_are_measured_against_the_citation_distance() -> None:
    # The first three passages of a cited provision are cited together; what a stage
    # lifts, and a cited provision, stand alone: nothing else is within the distance.
    assert ranking.CITED_STEP * (MAX_CITATIONS - 1) < ranking.CITATION_DISTANCE
    assert ranking.LIFT_MARGIN > ranking.CITATION_DISTANCE
    assert ranking.CITED_MARGIN > ranking.CITATION_DISTANCE
    # The small preferences move a passage within the distance, not past it.
    for bonus in (ranking.KIND_BONUS, ranking.RECITAL_PENALTY):
        assert bonus < ranking.CITATION_DISTANCE
    # The answerer cites on this same scale, by this same constant.
    asked = read_question("How long must the support period be?")
    near = ranking.CITATION_DISTANCE * 0.9
    far = ranking.CITATION_DISTANCE * 1.1
    assert len(choose_cited([hit("a", ARTICLE, 0.05), hit("b", OTHER, 0.05 - near)],
                            asked)) == 2
    assert len(choose_cited([hit("a", ARTICLE, 0.05), hit("b", OTHER, 0.05 - far)],
                            asked)) == 1
