"""Matrix content: HTML answers with a readable body."""

from __future__ import annotations

from bot.adapters.matrix.format import (
    CUT_NOTE,
    MAX_PART_CHARS,
    answer_content,
    notice_content,
)
from bot.answering.answers import Answer
from tests.test_slack_format import citation


def test_answer_notice_has_html_citations_and_a_plain_body() -> None:
    answer = Answer("Wer?", "The hyperscalers <do> [1].\n\nSecond part.", grounded=True,
                    citations=(citation(1), citation(2, url="")))
    content = answer_content(answer)
    assert content["msgtype"] == "m.notice"
    assert content["format"] == "org.matrix.custom.html"
    html = content["formatted_body"]
    assert html.startswith("<p>The hyperscalers &lt;do&gt; [1].</p>\n<p>Second part.</p>")
    assert '<strong>[1]</strong> <a href="https://example.org/essay">Der Mythos' in html
    assert "<strong>Rechenleistung bereit</strong>" in html  # the quote stands out
    assert "<strong>[2]</strong> Der Mythos — Open Source, ¶2</p>" in html
    assert content["body"].startswith("The hyperscalers <do> [1].")
    assert "[2] Der Mythos — Open Source, ¶2" in content["body"]


def test_an_answer_too_long_for_one_event_is_cut_with_a_note() -> None:
    content = answer_content(Answer("q", "word " * 20_000, True, citations=(citation(1),)))
    assert len(content["body"]) <= MAX_PART_CHARS
    assert len(content["formatted_body"]) <= 2 * MAX_PART_CHARS
    assert CUT_NOTE in content["body"] and "<strong>[1]</strong>" in content["formatted_body"]


def test_notices_keep_line_layout() -> None:
    assert notice_content("Sorry.") == {"msgtype": "m.notice", "body": "Sorry."}
    listing = notice_content("1 documents\n  7  Essay <x>")
    assert listing["formatted_body"] == "<pre>1 documents\n  7  Essay &lt;x&gt;</pre>"
