from knowledge.languages import code_of, detect
from knowledge.naming import names_in

TITLES = {
    "cra.md": "Cyber Resilience Act (Regulation 2024/2847)",
    "dora.md": "DORA - Digital Operational Resilience Act (Regulation 2022/2554)",
    "essay.txt": "Der Mythos der europäischen KI-Souveränität: Eine Illusion?",
}


def test_a_title_is_named_in_either_language_and_an_acronym_too() -> None:
    assert names_in("What are sweeps under the Cyber Resilience Act?", TITLES).sources == {
        "cra.md"}
    assert names_in("Was sind Sweeps nach der Cyberresilienz-Verordnung?",
                    TITLES).sources == {"cra.md"}
    assert names_in("Ab wann gilt die Verordnung über die digitale operationale Resilienz?",
                    TITLES).sources == {"dora.md"}
    assert names_in("Since when does DORA apply?", TITLES).sources == {"dora.md"}


def test_a_genre_word_names_every_document_of_that_genre() -> None:
    assert names_in("Ab wann gilt die Verordnung?", TITLES).sources == {"cra.md", "dora.md"}
    assert names_in("What does the author demand from policymakers?", TITLES).sources == {
        "essay.txt"}
    assert names_in("Was fordert der Essay?", TITLES).sources == {"essay.txt"}


def test_a_question_naming_nothing_steers_nowhere() -> None:
    assert names_in("How often must backups be tested?", TITLES).sources == frozenset()
    assert names_in("How do I bake a cheesecake?", TITLES).sources == frozenset()


def test_languages_are_told_by_function_words() -> None:
    assert detect("Was fordert der Autor von der Politik?") == "de"
    assert detect("What does the author demand from policymakers?") == "en"
    assert detect("") == "en"
    assert code_of("German") == "de" and code_of("de-AT") == "de" and code_of("") == ""
