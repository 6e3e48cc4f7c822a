from knowledge.documents import SourceDocument
from knowledge.splitting import (
    MAX_PASSAGE_CHARS,
    markdown_blocks,
    passages_of,
    plain_text_blocks,
    split_long,
    split_sentences,
)
from tests.conftest import ESSAY


def test_sentences_respect_abbreviations_and_ordinals() -> None:
    text = "Firmen (z.B. Medizintechnik) gewinnen. Am 3. Mai kam er. Was nun? Dann ging er."
    assert split_sentences(text) == [
        "Firmen (z.B. Medizintechnik) gewinnen.", "Am 3. Mai kam er.", "Was nun?",
        "Dann ging er.",
    ]


def test_essay_title_sections_and_paragraphs() -> None:
    title, blocks = plain_text_blocks(ESSAY.read_text(encoding="utf-8"))
    assert title == "Der Mythos der europäischen KI-Souveränität: Eine Illusion?"
    assert len(blocks) == 7
    assert blocks[2].section == "Wer gewinnt wirklich beim Open-Source-Rennen?"
    assert blocks[4].section.startswith("Die Konträre Prognose")
    assert "**" not in blocks[0].text  # markdown emphasis is dropped
    assert blocks[0].text.startswith("Die jüngste StepUp Startups-Analyse")


def test_hard_wrapped_text_is_joined_into_paragraphs() -> None:
    text = "Title\n\nThis is a paragraph that was\nwrapped by hand at short width.\n\nNext one."
    title, blocks = plain_text_blocks(text)
    assert title == "Title"
    assert [b.text for b in blocks] == [
        "This is a paragraph that was wrapped by hand at short width.", "Next one.",
    ]


def test_markdown_headings_become_sections() -> None:
    text = "# Report\n\nIntro text.\n\n## Costs\n\nCloud costs **rise**.\n- a list item\n"
    title, blocks = markdown_blocks(text)
    assert title == "Report"
    assert [(b.section, b.text) for b in blocks] == [
        ("Report", "Intro text."), ("Costs", "Cloud costs rise."), ("Costs", "- a list item"),
    ]


def test_long_paragraphs_are_split_at_sentences() -> None:
    sentence = "Europa braucht eigene Rechenzentren für künstliche Intelligenz. "
    parts = split_long(sentence * 40)
    assert len(parts) > 1
    assert all(len(p) <= MAX_PASSAGE_CHARS for p in parts)
    assert all(p.endswith(".") for p in parts)
    assert " ".join(parts) == (sentence * 40).strip()


def test_passage_ids_are_deterministic_and_follow_content() -> None:
    title, blocks = plain_text_blocks(ESSAY.read_text(encoding="utf-8"))
    doc = SourceDocument("essay.txt", title, "de", "", tuple(blocks))
    first, again = passages_of(doc), passages_of(doc)
    assert [p.id for p in first] == [p.id for p in again]
    assert len({p.id for p in first}) == len(first)
    changed = SourceDocument("essay.txt", title, "de", "", tuple(blocks[:-1]))
    assert passages_of(changed)[0].id != first[0].id  # a new version gets new ids
    assert first[2].paragraph == 3
    assert first[2].embedding_text().startswith(f"{title} — Wer gewinnt")
