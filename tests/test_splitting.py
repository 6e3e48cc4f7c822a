from knowledge.core.documents import SourceDocument
from knowledge.passages.headings import PATH_SEPARATOR
from knowledge.passages.splitting import document_blocks, passages_of
from knowledge.passages.structure import MAX_WORDS
from knowledge.reading.lines import markdown_lines, text_lines
from knowledge.text.sentences import split_sentences
from tests.conftest import ESSAY


def test_sentences_respect_abbreviations_and_ordinals() -> None:
    text = ("Firmen (z.B. Medizintechnik) gewinnen. Am 3. Mai kam er. Was nun? Dann ging er. "
            "See OJ L 151, 7.6.2019, p. 15.")
    assert split_sentences(text) == [
        "Firmen (z.B. Medizintechnik) gewinnen.", "Am 3. Mai kam er.", "Was nun?",
        "Dann ging er.", "See OJ L 151, 7.6.2019, p. 15.",
    ]


def essay_blocks() -> tuple[str, list[str], list[str]]:
    title, blocks = document_blocks(text_lines(ESSAY.read_text(encoding="utf-8")))
    return title, [b.section for b in blocks], [b.text for b in blocks]


def test_essay_title_sections_and_paragraphs() -> None:
    title, sections, texts = essay_blocks()
    assert title == "Der Mythos der europäischen KI-Souveränität: Eine Illusion?"
    assert len(texts) == 7  # one passage per paragraph: each is 65-75 words
    assert sections[2] == "Wer gewinnt wirklich beim Open-Source-Rennen?"
    assert sections[4].startswith("Die Konträre Prognose")
    assert "**" not in texts[0]  # markdown emphasis is dropped
    assert texts[0].startswith("Die jüngste StepUp Startups-Analyse")


def test_hard_wrapped_text_is_joined_into_paragraphs() -> None:
    text = "Title\n\nThis is a paragraph that was\nwrapped by hand at short width.\n\nNext one."
    title, blocks = document_blocks(text_lines(text))
    assert title == "Title"
    # Both are tiny, so they make one passage; the wrap is gone.
    assert [b.text for b in blocks] == [
        "This is a paragraph that was wrapped by hand at short width. Next one.",
    ]


def test_markdown_headings_become_a_heading_path() -> None:
    text = ("# Report\n\nIntro text.\n\n## Costs\n\n### Cloud\n\nCloud costs **rise**.\n"
            "- a list item\n\n## People\n\nHiring is slow.\n")
    title, blocks = document_blocks(markdown_lines(text))
    assert title == "Report"
    assert [(b.section, b.text) for b in blocks] == [
        ("", "Intro text."),
        (f"Costs{PATH_SEPARATOR}Cloud", "Cloud costs rise. - a list item"),
        ("People", "Hiring is slow."),
    ]


def test_markdown_reads_as_rendered_not_as_markup() -> None:
    # A README or a wiki page: links, badges, code spans, escapes, quotes and reference
    # definitions are markup a reader of the rendered page never sees.
    text = ("# The `net` module\n\n"
            "[![build](https://ci.example/badge.svg)](https://ci.example/run)\n\n"
            "> Stability: 2 - Stable\n\n"
            "See the [guide](https://example.org/guide_(v2) \"Guide\") and [`close()`][],\n"
            "which calls `server[Symbol.asyncDispose]()` on diagnostics\\_channel.\n\n"
            "~~~bash\nnpm install [x](y)\n~~~\n\n"
            "[`close()`]: https://example.org/close\n")
    title, blocks = document_blocks(markdown_lines(text))
    assert title == "The net module"
    assert [b.text for b in blocks] == [  # tiny paragraphs merged, as ever
        "build Stability: 2 - Stable See the guide and close(), which calls "
        "server[Symbol.asyncDispose]() on diagnostics_channel. npm install [x](y)"]


def markdown_texts(text: str) -> list[str]:
    return [block.text for block in document_blocks(markdown_lines(text))[1]]


def test_a_markdown_contents_list_is_no_passage() -> None:
    # A README's list of links to its own sections: every word of it is a heading again.
    text = ("# Tool\n\n## Table of Contents\n\n* **[Installation](#installation)**\n"
            "  * [Getting it](#a-getting-it)\n* [Usage](#usage)\n\n## Installation\n\n"
            "### A. Getting it\n\nRun the [installer](#usage) once.\n\n## Usage\n\n"
            "Call it with a file.\n")
    assert markdown_texts(text) == ["Run the installer once.", "Call it with a file."]


def test_restructured_text_underlines_make_a_line_stand_alone() -> None:
    # Sphinx's text output underlines with any mark, "^^^^" and "****" among them; a box
    # of stars around a paragraph is still a box.
    text = ("Appendix\n^^^^^^^^\n\nTools are listed here. They help.\n\n"
            "1. Scope of This Document\n*************************\n\nThe scope is set.\n")
    lines = [line.text for line in text_lines(text) if line.text]
    assert lines == ["Appendix", "Tools are listed here. They help.",
                     "1. Scope of This Document", "The scope is set."]


def test_long_units_are_split_at_sentences_and_short_ones_kept_whole() -> None:
    sentence = "Europa braucht eigene Rechenzentren für künstliche Intelligenz. "
    _, blocks = document_blocks(text_lines("Title\n\n" + sentence * 80))
    assert len(blocks) > 1
    assert all(len(b.text.split()) <= MAX_WORDS for b in blocks)
    assert all(b.text.endswith(".") for b in blocks)
    assert " ".join(b.text for b in blocks) == (sentence * 80).strip()
    sizes = [len(b.text.split()) for b in blocks]
    assert max(sizes) - min(sizes) <= 8  # even parts, not one full and a stub


def test_passage_ids_are_deterministic_and_follow_content() -> None:
    title, blocks = document_blocks(text_lines(ESSAY.read_text(encoding="utf-8")))
    doc = SourceDocument("essay.txt", title, "de", "", tuple(blocks))
    first, again = passages_of(doc), passages_of(doc)
    assert [p.id for p in first] == [p.id for p in again]
    assert len({p.id for p in first}) == len(first)
    changed = SourceDocument("essay.txt", title, "de", "", tuple(blocks[:-1]))
    assert passages_of(changed)[0].id != first[0].id  # a new version gets new ids
    assert first[2].paragraph == 3
    assert first[2].embedding_text().startswith(f"{title} — Wer gewinnt")


def test_a_run_on_sentence_is_cut_at_its_clauses_not_between_words() -> None:
    clause = "financial entities shall monitor relevant technological developments on a basis"
    run_on = "Microenterprises should " + "; ".join([clause] * 40) + "."
    _, blocks = document_blocks(text_lines("Title\n\n" + run_on))
    assert len(blocks) > 1
    assert all(len(b.text.split()) <= MAX_WORDS for b in blocks)
    assert all(b.text.endswith((";", ".")) for b in blocks)
    assert " ".join(b.text for b in blocks) == run_on
    # With no clause marks left, commas; with none at all, words, as a last resort.
    commas = "Members " + ", ".join(["of the board approve the plan"] * 60) + "."
    _, blocks = document_blocks(text_lines("Title\n\n" + commas))
    assert all(b.text.endswith((",", ".")) for b in blocks)


def test_a_sentence_goes_on_after_a_footnote_heading_put_in_between() -> None:
    text = ("# Regulation\n\n## Whereas:\n\n### (42)\n\nWhere a product is subject to repair "
            "as defined in Article 2 of\n\n### (19)\n\n, this does not necessarily lead to a "
            "substantial modification of the product.\n\n### (43)\n\nProducts should be "
            "considered important.\n")
    assert markdown_texts(text) == [
        "Where a product is subject to repair as defined in Article 2 of, this does not "
        "necessarily lead to a substantial modification of the product. Products should be "
        "considered important.",
    ]
