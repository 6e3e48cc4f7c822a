"""The German-English dictionary: Ding's format read, German questions glossed word by word
with senses chosen by the passages' vocabulary, and a bad file never stopping a search."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from knowledge.search.retriever import Retriever
from knowledge.text import lexicon as lexicon_module
from knowledge.text.lexicon import (
    ACRONYM_KEY,
    ENGLISH_KEY,
    Dictionary,
    DictionaryError,
    Lexicon,
    entries,
)
from knowledge.text.words import texts_per_word
from tests.conftest import ESSAY, make_kb
from tests.regulation_pdf import DORA

# Entries in Ding's format, written for these tests (not taken from Ding).
SAMPLE = """\
# Version :: test
# Copyright (c) :: nobody
Leitungsorgan {n} | Leitungsorgane {pl} :: management body; governing body | \
management bodies; governing bodies
Abschluss {m} [econ.] :: conclusion; closing; final
Bericht {m}; Meldung {f} | Berichte {pl} :: report; account | reports; accounts
Rahmen {m} | Rahmen {pl} :: frame; chassis frame; framework | frames; chassis frames; frameworks
Risiko {n} | Risiken {pl} :: risk | risks
Management {n} :: management
Hoheit {f} :: elevation; sovereignty
Daten {pl} :: data
Schwachstelle {f} (in etw.) :: vulnerability; weak point
melden {vt} | meldend | gemeldet :: to report | reporting | reported
jdn. etw. fragen {vt} :: to ask sb. sth.
bereithalten {vt} :: to have/hold in store; to hold {held; held} ready
Bevollmächtigter {m} :: commissioner; authorized representative
etw. einrichten {vt} | einrichtend | richtet ein | richtete ein :: to set up sth. | \
setting up | sets up; establishes | set up
Hersteller {m} | Hersteller {pl} :: manufacturer; producer /mfr./ | manufacturers; producers
this line has no separator
Zwei | Formen | zu viel :: two | forms
::
Leer {adj} :: ;;
"""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    path = tmp_path / "de-en"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


@pytest.fixture
def lexicon(sample: Path) -> Lexicon:
    return Lexicon.from_entries(entries(sample.read_text("utf-8").splitlines()))


def test_entries_pair_each_form_with_its_senses_and_skip_what_does_not_parse() -> None:
    found = entries(SAMPLE.splitlines())
    assert found["leitungsorgane"] == ["management bodies", "governing bodies"]
    assert found["bericht"] == ["report", "account"]
    assert found["meldung"] == ["report", "account"]  # synonyms share the senses
    assert found["schwachstelle"] == ["vulnerability", "weak point"]  # "(in etw.)" dropped
    assert found["hersteller"][0] == "manufacturer"  # "/mfr./" is an abbreviation mark
    # Forms not parallel: only the first pair; multi-word headwords are not words.
    assert found["zwei"] == ["two"]
    # Grammar in braces may hold ";" itself; a slash between words is no abbreviation.
    assert found["bereithalten"] == ["to have/hold in store", "to hold ready"]
    assert "formen" not in found
    # Multi-word headwords are left out, but for a separable verb's finite form.
    german = [word for word in found if not word.startswith((ENGLISH_KEY, ACRONYM_KEY))]
    assert sorted(word for word in german if " " in word) == ["richtet ein", "richtete ein"]
    assert "leer" not in found


def test_the_entries_are_read_the_other_way_round_too() -> None:
    found = entries(SAMPLE.splitlines())
    assert found[ENGLISH_KEY + "management body"] == ["Leitungsorgan"]
    assert found[ENGLISH_KEY + "report"] == ["Bericht", "Meldung", "melden"]
    assert found[ENGLISH_KEY + "set up"] == ["einrichten"]  # "to set up": as a verb
    assert ENGLISH_KEY + "sets up" not in found  # "richtet ein" is no German of its own


def test_an_acronym_stands_for_its_forms_in_both_languages() -> None:
    found = entries([
        "Datenschutz-Grundverordnung {f} /DSGVO/ (EU) :: General Data Protection Regulation "
        "/GDPR/ (EU)", "kritische Infrastrukturen /KRITIS/ :: critical infrastructures"])
    assert found[ACRONYM_KEY + "dsgvo"] == ["datenschutz-grundverordnung",
                                            "general data protection regulation", "/gdpr"]
    assert found[ACRONYM_KEY + "gdpr"] == ["general data protection regulation",
                                           "datenschutz-grundverordnung", "/dsgvo"]
    assert found[ACRONYM_KEY + "kritis"] == ["kritische infrastrukturen",
                                             "critical infrastructures"]
    lexicon = Lexicon.from_entries(found)
    assert lexicon.acronyms()["KRITIS"] == ["kritische infrastrukturen",
                                            "critical infrastructures"]
    assert set(lexicon.acronyms()) == {"DSGVO", "GDPR", "KRITIS"}


def test_an_english_question_is_glossed_into_the_german_the_passages_use(
        lexicon: Lexicon) -> None:
    german = texts_per_word(["Die Leitungsorgane melden jede Schwachstelle.",
                             "Meldungen gehen an das Amt."])
    # "report": Bericht, Meldung or melden; the passages use "Meldungen" and "melden"
    # alike, and Ding lists Meldung first.
    assert lexicon.gloss_in_german("Who must report to the management bodies?", german) == \
        "wer muss Meldung zu der Leitungsorgane ?"


def test_every_word_is_found_by_bisection_and_others_are_not(lexicon: Lexicon) -> None:
    found = entries(SAMPLE.splitlines())
    assert len(lexicon) == len(found)
    for word, senses in found.items():
        assert lexicon.senses(word) == senses
        assert lexicon.senses(word.upper()) == senses
    for missing in ("", "a", "zzz", "leitungsorga", "leitungsorganx", "ä"):
        assert lexicon.senses(missing) == []


def test_inflected_forms_and_compounds_are_read(lexicon: Lexicon) -> None:
    assert lexicon.inflected("Schwachstellen") == ["vulnerability", "weak point"]
    # "Rahmen" is its own plural: both forms' senses, the singular's first.
    assert lexicon.parts("Risikomanagementrahmen") == [
        ["risk"], ["management"],
        ["frame", "chassis frame", "framework", "frames", "chassis frames", "frameworks"]]
    # The linking "s" of "Abschluss-s-bericht" is no part of either word.
    assert lexicon.parts("Abschlussberichts") == [
        ["conclusion", "closing", "final"], ["report", "account"]]
    assert lexicon.parts("Datenhoheit") == [["data"], ["elevation", "sovereignty"]]
    assert lexicon.parts("Quatschwort") == []


def test_the_passages_vocabulary_chooses_each_sense(lexicon: Lexicon) -> None:
    question = "Wer ist für den IKT-Risikomanagementrahmen verantwortlich?"
    assert lexicon.gloss(question, {}) == (
        "who is for the ICT risk management frame verantwortlich ?")
    words = texts_per_word(["The ICT risk management framework ...", "a framework"])
    assert words["framework"] == 2
    assert lexicon.gloss(question, words) == (
        "who is for the ICT risk management framework verantwortlich ?")
    final = texts_per_word(["the final report", "final"])
    assert lexicon.gloss("Wann muss der Abschlussbericht vorliegen?", final) == (
        "when must the final report vorliegen ?")
    # Ding writes American English; the passages' British spelling is used where theirs.
    british = texts_per_word(["the authorised representative shall"])
    assert lexicon.gloss("Der Bevollmächtigte", british) == "the authorised representative"
    # Names, numbers and acronyms stay as asked ("CE" is no element of any word here).
    assert lexicon.gloss("Gilt Artikel 14 für CE und Hersteller?", {}) == (
        "applies Artikel 14 for CE and manufacturer ?")


def test_a_separable_verb_is_read_with_its_particle(lexicon: Lexicon) -> None:
    """"Wer richtet ... ein?" asks who "einrichtet" (sets up); "ein" is no article here."""
    assert lexicon.senses("richtet ein") == ["sets up", "establishes"]
    established = texts_per_word(["ENISA establishes the platform"])
    assert lexicon.gloss("Wer richtet die Daten ein?", established) == (
        "who establishes the data ?")
    # Not at the question's end, "ein" is the article.
    assert lexicon.gloss("Wer richtet ein Risiko?", {}) == "who richtet a risk ?"


def test_a_setting_names_a_file_or_none(sample: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert Dictionary.find("off", tmp_path) is None
    assert Dictionary.find(" OFF ", tmp_path) is None
    found = Dictionary.find(str(sample), tmp_path)
    assert found is not None and found.path == sample
    with pytest.raises(DictionaryError, match="no dictionary file at"):
        Dictionary.find(str(tmp_path / "missing"), tmp_path)
    monkeypatch.setattr(lexicon_module, "KNOWN_PATHS", (tmp_path / "missing", sample))
    automatic = Dictionary.find("", tmp_path)
    assert automatic is not None and automatic.path == sample
    monkeypatch.setattr(lexicon_module, "KNOWN_PATHS", (tmp_path / "missing",))
    assert Dictionary.find("", tmp_path) is None


def test_the_parse_is_kept_and_read_back(sample: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = Dictionary(sample, cache).lexicon()
    assert first is not None and first.senses("risiko") == ["risk"]
    kept = list(cache.glob("lexicon-*.tsv"))
    assert len(kept) == 1 and not list(cache.glob("*.part"))

    def unread(lines: object) -> dict[str, list[str]]:
        raise AssertionError("parsed again")

    monkeypatch.setattr(lexicon_module, "entries", unread)
    again = Dictionary(sample, cache).lexicon()
    assert again is not None and again.senses("rahmen") == first.senses("rahmen")
    # A changed file is a new key: parsed again, not the old parse.
    sample.write_text(SAMPLE + "Neu {n} :: new\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="parsed again"):
        Dictionary(sample, cache).lexicon()


@pytest.mark.parametrize("damage", [b"risiko\trisk\nrahmen frame\n", b"\xff\xfe\t\n",
                                    b"risiko\trisk"])
def test_a_damaged_kept_parse_is_read_again_from_the_dictionary(
        sample: Path, tmp_path: Path, damage: bytes) -> None:
    cache = tmp_path / "cache"
    assert Dictionary(sample, cache).lexicon() is not None
    [kept] = cache.glob("lexicon-*.tsv")
    kept.write_bytes(damage)
    again = Dictionary(sample, cache).lexicon()
    assert again is not None and again.senses("rahmen")[0] == "frame"
    assert again.senses("zwei") == ["two"]


def test_a_cache_folder_that_cannot_be_written_costs_only_the_parse(
        sample: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    lexicon = Dictionary(sample, blocked / "cache").lexicon()
    assert lexicon is not None and lexicon.senses("risiko") == ["risk"]


@pytest.mark.parametrize("content", [b"", b"# only comments\n", b"\xff\xfe\x00garbage\n" * 50])
def test_a_file_that_is_no_dictionary_is_logged_once_and_searched_without(
        tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "de-en"
    path.write_bytes(content)
    dictionary = Dictionary(path, tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="knowledge.text.lexicon"):
        assert dictionary.lexicon() is None
        assert dictionary.lexicon() is None
    warnings = [r for r in caplog.records if "cannot be read" in r.getMessage()]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage()
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())


def test_a_file_far_larger_than_a_dictionary_is_not_read(
        sample: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexicon_module, "MAX_BYTES", 100)
    assert Dictionary(sample, tmp_path).lexicon() is None


def test_a_file_removed_after_start_is_logged_not_raised(sample: Path, tmp_path: Path) -> None:
    dictionary = Dictionary(sample, None)
    sample.unlink()
    assert dictionary.lexicon() is None


# A German question about the English act, the words it needs, as Ding words them.
ASKED = {
    "Worüber müssen Mitglieder des Leitungsorgans auf dem Laufenden bleiben?":
        "4. Members of the management body of the financial entity shall actively keep up",
    "Wer ist in einem Finanzunternehmen für den IKT-Risikomanagementrahmen verantwortlich?":
        "The management body of the financial entity shall define, approve, oversee and be",
}
WORDS = """\
Mitglied {n} | Mitglieder {pl} :: member | members
Leitungsorgan {n} | Leitungsorgane {pl} :: management body; governing body | \
management bodies; governing bodies
laufend {adj} :: current; ongoing; running
bleiben {vi} | bleibend | geblieben :: to stay; to remain | staying; remaining | stayed; remained
Finanzunternehmen {n} | Finanzunternehmen {pl} :: financial company; financial entity | \
financial companies; financial entities
Risiko {n} | Risiken {pl} :: risk | risks
Management {n} :: management
Rahmen {m} | Rahmen {pl} :: frame; chassis frame; framework | frames; chassis frames; frameworks
verantwortlich {adj} :: responsible; accountable; in charge
"""


def _between(start: str, end: str) -> str:
    """The act's text from `start` to `end`, both found after its Article 3's heading."""
    text = DORA.read_text("utf-8")
    body = text.index("## Article 3: Definitions\n")
    begin = text.index(start, body)
    return text[begin:text.index(end, begin)]


@pytest.fixture(scope="module")
def dora(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> KnowledgeBase:
    """DORA's definitions (Article 3) and its Articles 5 and 6 as converted from the PDF,
    beside the German essay."""
    root = tmp_path_factory.mktemp("dora")
    sources = root / "sources"
    sources.mkdir()
    (sources / "dora-articles-5-6.md").write_text(
        "# Digital Operational Resilience Act\n\n"
        + _between("## Article 3:", "## Article 4:") + _between("## Article 5:", "## Article 7:"),
        encoding="utf-8")
    (sources / ESSAY.name).write_text(ESSAY.read_text("utf-8"), encoding="utf-8")
    kb = make_kb(root / "data", [sources], e5)
    kb.refresher.refresh()
    (root / "de-en").write_text(WORDS, encoding="utf-8")
    return kb


def _searcher(kb: KnowledgeBase, dictionary: Path | None) -> Retriever:
    return Retriever(kb.store, kb.state_file, kb.retriever.judge,
                     dictionary=Dictionary(dictionary, None) if dictionary else None)


@pytest.mark.parametrize("question", ASKED)
def test_a_german_question_finds_the_english_provision_through_the_dictionary(
        dora: KnowledgeBase, question: str) -> None:
    words = dora.config.data_dir.parent / "de-en"
    without = [h for h in _searcher(dora, None).search(question, k=5).hits
               if h.language == "en"]
    found = [h for h in _searcher(dora, words).search(question, k=5).hits
             if h.language == "en"]
    assert ASKED[question] not in without[0].text  # e5 alone ranks another rule first
    assert ASKED[question] in found[0].text


@pytest.mark.parametrize("question", ASKED)
def test_the_gloss_reorders_the_english_passages_and_never_rescores_them(
        dora: KnowledgeBase, question: str) -> None:
    """The German essay's passages compete with the English ones as they did without the
    dictionary: the same scores, only which English passage holds which score moves."""
    words = dora.config.data_dir.parent / "de-en"
    without = _searcher(dora, None).search(question, k=10, per_language=True).hits
    found = _searcher(dora, words).search(question, k=10, per_language=True).hits
    for language in ("en", "de"):
        before = [(h.score, h.calibrated) for h in without if h.language == language]
        after = [(h.score, h.calibrated) for h in found if h.language == language]
        assert after == before
    assert [h.id for h in found if h.language == "de"] == [
        h.id for h in without if h.language == "de"]
    assert [h.id for h in found if h.language == "en"] != [
        h.id for h in without if h.language == "en"]


def test_english_questions_are_searched_as_before(dora: KnowledgeBase) -> None:
    words = dora.config.data_dir.parent / "de-en"
    question = "Who must keep up to date with knowledge of ICT risk?"
    without = _searcher(dora, None).search(question, k=5)
    found = _searcher(dora, words).search(question, k=5)
    assert [(h.id, h.score) for h in found.hits] == [(h.id, h.score) for h in without.hits]
    assert found.relevance == without.relevance


def test_a_term_asked_in_german_is_looked_up_as_the_dictionary_words_it(
        dora: KnowledgeBase) -> None:
    """"Leitungsorgan" is "management body" word for word; its definition is the answer."""
    words = dora.config.data_dir.parent / "de-en"
    question = "Was ist das Leitungsorgan?"
    definition = "'management body' means"
    without = _searcher(dora, None).search(question, k=3)
    found = _searcher(dora, words).search(question, k=3)
    assert not any(definition in h.text.replace("\u2018", "'") for h in without.hits[:1])
    assert definition in found.hits[0].text.replace("\u2018", "'")
    assert found.relevant


def test_a_refresh_reads_the_dictionary_so_that_no_question_waits_for_it(
        dora: KnowledgeBase, e5: E5Embedder) -> None:
    words = dora.config.data_dir.parent / "de-en"
    kb = KnowledgeBase(replace(dora.config, dictionary=str(words)))
    kb.__dict__["embedder"] = e5  # the loaded model, shared
    cache = dora.config.data_dir / "cache"
    assert not list(cache.glob("lexicon-*.tsv"))
    summary = kb.refresh()
    assert summary.unchanged and not summary.added
    assert len(list(cache.glob("lexicon-*.tsv"))) == 1
    dictionary = kb.retriever.dictionary
    assert dictionary is not None and dictionary._lexicon is not None


def test_a_refresh_that_leaves_no_passages_does_not_read_the_dictionary(
        dora: KnowledgeBase, tmp_path: Path, e5: E5Embedder) -> None:
    # Its only source failed: it says so without first parsing a dictionary that no
    # question can use (a fresh data dir's parse took 4 s of a hostile URL's refresh).
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    words = dora.config.data_dir.parent / "de-en"
    kb = make_kb(tmp_path / "data", [sources], e5, dictionary=str(words))
    summary = kb.refresh()
    assert summary.failed and not summary.passages
    assert not list((tmp_path / "data" / "cache").glob("lexicon-*.tsv"))
