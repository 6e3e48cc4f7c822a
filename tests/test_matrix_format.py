"""Matrix content: HTML answers with a readable body."""

from __future__ import annotations

from bot.adapters.matrix.format import (
    CUT_NOTE,
    MAX_CONTENT_BYTES,
    MAX_PART_CHARS,
    answer_content,
    encoded_size,
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
    assert notice_content("Sorry.") == {"msgtype": "m.notice", "body": "Sorry.", "m.mentions": {}}
    listing = notice_content("1 documents\n  7  Essay <x>")
    assert listing["formatted_body"] == "<pre>1 documents\n  7  Essay &lt;x&gt;</pre>"


def test_notices_mention_nobody() -> None:
    assert answer_content(Answer("q", "@room look [1]", True, citations=(citation(1),)))[
        "m.mentions"] == {}
    assert notice_content("Sorry.")["m.mentions"] == {}


def test_size_is_capped_in_encoded_bytes_with_room_for_encryption() -> None:
    cjk = "政策文件的引用段落" * 1400  # 12,600 characters, 37,800 bytes
    content = answer_content(Answer("q", cjk, True, citations=(citation(1, text=cjk),)))
    assert encoded_size(content) <= MAX_CONTENT_BYTES
    assert (encoded_size(content) + 2048) * 4 / 3 < 65_536  # Megolm: base64 + envelope
    assert content["body"].endswith("…") and content["formatted_body"]
    listing = notice_content(("\"quoted\" \\ " * 9000 + "\n") * 2)  # JSON doubles these
    assert encoded_size(listing) <= MAX_CONTENT_BYTES
