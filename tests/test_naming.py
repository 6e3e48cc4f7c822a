from knowledge.search.naming import Titles
from knowledge.text.languages import code_of, detect, evident

TITLES = {
    "cra.md": "Cyber Resilience Act (Regulation 2024/2847)",
    "dora.md": "DORA - Digital Operational Resilience Act (Regulation 2022/2554)",
    "essay.txt": "Der Mythos der europäischen KI-Souveränität: Eine Illusion?",
}


def test_a_title_is_named_in_either_language_and_an_acronym_too() -> None:
    titles = Titles(TITLES)
    assert titles.named_in("What are sweeps under the Cyber Resilience Act?").sources == {
        "cra.md"}
    assert titles.named_in("Was sind Sweeps nach der Cyberresilienz-Verordnung?").sources == {
        "cra.md"}
    assert titles.named_in(
        "Ab wann gilt die Verordnung über die digitale operationale Resilienz?").sources == {
        "dora.md"}
    assert Titles(TITLES).named_in("Since when does DORA apply?").sources == {"dora.md"}


def test_a_licence_is_named_by_the_initials_of_part_of_its_title() -> None:
    # Plain-text licences open with their names: "Version" runs on after the name, and an
    # all-capitals title's words are no acronyms ("public" named the GPL before).
    titles = Titles({"MPL-2.0.txt": "Mozilla Public License Version 2.0",
                     "GPL-3.txt": "GNU GENERAL PUBLIC LICENSE Version 3, 29 June 2007"})
    assert titles.named_in("What must a modified version of the MPL be renamed to?").sources \
        == {"MPL-2.0.txt"}
    assert titles.named_in("Is there any warranty under the GPL?").sources == {"GPL-3.txt"}
    assert titles.named_in("Is the public told?").sources == frozenset()


def test_a_genre_word_names_every_document_of_that_genre() -> None:
    assert Titles(TITLES).named_in("Ab wann gilt die Verordnung?").sources == {"cra.md", "dora.md"}
    assert Titles(TITLES).named_in("What does the author demand from policymakers?").sources == {
        "essay.txt"}
    assert Titles(TITLES).named_in("Was fordert der Essay?").sources == {"essay.txt"}


def test_a_question_naming_nothing_steers_nowhere() -> None:
    assert Titles(TITLES).named_in("How often must backups be tested?").sources == frozenset()
    assert Titles(TITLES).named_in("How do I bake a cheesecake?").sources == frozenset()


def test_languages_are_told_by_function_words() -> None:
    assert detect("Was fordert der Autor von der Politik?") == "de"
    assert detect("What does the author demand from policymakers?") == "en"
    assert detect("") == "en"
    assert code_of("German") == "de" and code_of("de-AT") == "de" and code_of("") == ""


def test_a_language_is_evident_only_where_its_words_lead() -> None:
    assert evident("Was ist ein Hersteller?") == "de"
    assert evident("What is data sovereignty?") == "en"
    # "was" is English and German alike; no function word at all says nothing.
    assert evident("Was bedeutet digitale operationale Resilienz?") == ""
    assert evident("IKT-Altsystem") == ""
