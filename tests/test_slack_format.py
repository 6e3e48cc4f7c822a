"""Block Kit rendering and reading Slack's markup; Slack's limits checked as Slack does."""

from __future__ import annotations

import json
from pathlib import Path

from bot.adapters.slack.format import (
    BUTTON_VALUE_LIMIT,
    CUT_NOTE,
    SECTION_LIMIT,
    answer_message,
    feedback_value,
    notice_message,
    split_text,
)
from bot.answering.answers import Answer, Citation
from bot.serving.feedback import Feedback, FeedbackLog
from bot.serving.seen import SeenKeys
from testing.slack_server import block_errors


def citation(n: int, text: str = "Die Hyperscaler stellen die Rechenleistung bereit.",
             url: str = "https://example.org/essay") -> Citation:
    return Citation(n=n, id=f"essay#{n}", source="essay.txt", title="Der Mythos",
                    section="Open Source", paragraph=n, text=text,
                    quote="Rechenleistung bereit", url=url, score=0.9)


def test_answer_blocks_carry_markers_citations_and_feedback() -> None:
    answer = Answer("Wer?", "The hyperscalers <do> [1].", grounded=True,
                    citations=(citation(1), citation(2, url="")))
    message = answer_message(answer)
    assert message.blocks is not None and block_errors(message.blocks) == []
    first, cite1, cite2, actions = message.blocks
    assert first["text"]["text"] == "The hyperscalers &lt;do&gt; [1]."
    assert cite1["text"]["text"].startswith("*[1]* <https://example.org/essay|Der Mythos")
    assert "*Rechenleistung bereit*" in cite1["text"]["text"]  # the quote stands out
    assert cite2["text"]["text"].startswith("*[2]* Der Mythos — Open Source, ¶2\n>")
    assert [e["action_id"] for e in actions["elements"]] == ["feedback_up", "feedback_down"]
    assert json.loads(actions["elements"][0]["value"]) == {"q": "Wer?",
                                                           "ids": ["essay#1", "essay#2"]}
    assert message.text.startswith("The hyperscalers &lt;do&gt; [1].")  # escaped fallback


def test_a_refusal_has_no_feedback_buttons() -> None:
    blocks = answer_message(Answer("q", "I found nothing.", grounded=False)).blocks
    assert blocks is not None and [b["type"] for b in blocks] == ["section"]


def test_long_answers_are_split_then_cut_but_never_break_slacks_limits() -> None:
    sentence = "Europe depends on American clouds for its computing power [1]. "
    split = answer_message(Answer("q", sentence * 200, True, citations=(citation(1),)))
    assert split.blocks is not None and block_errors(split.blocks) == []
    assert CUT_NOTE not in json.dumps(split.blocks)
    assert len([b for b in split.blocks if b["type"] == "section"]) == 1 + 5
    huge = answer_message(Answer("q", sentence * 5000, True, note="model was slow",
                                 citations=tuple(citation(n, "x" * 5000) for n in (1, 2, 3))))
    assert huge.blocks is not None and block_errors(huge.blocks) == []
    assert len(huge.blocks) == 50
    assert CUT_NOTE in json.dumps(huge.blocks)
    cited = [b["text"]["text"][:5] for b in huge.blocks
             if b["type"] == "section" and b["text"]["text"].startswith("*[")]
    assert cited == ["*[1]*", "*[2]*", "*[3]*"]  # citations survive the cut
    assert len(huge.text) <= 3000


def test_split_text_breaks_at_spaces_and_cuts_unbroken_words() -> None:
    pieces = split_text("word " * 2000)
    assert all(len(p) <= SECTION_LIMIT for p in pieces) and len(pieces) == 4
    assert all(not p.endswith(" ") and p.startswith("word") for p in pieces)
    assert [len(p) for p in split_text("x" * 7000)] == [3000, 3000, 1000]


def test_feedback_value_fits_a_button_even_for_a_long_question() -> None:
    answer = Answer("ä" * 4000, "a", True, citations=(citation(1),))
    value = json.loads(feedback_value(answer))
    assert len(feedback_value(answer)) <= BUTTON_VALUE_LIMIT
    assert value["ids"] == ["essay#1"] and value["q"].startswith("ä")


def test_notices_keep_their_layout() -> None:
    listing = notice_message("2 documents\n  7  Essay  (essay.txt)")
    assert listing.blocks is not None
    assert listing.blocks[0]["text"]["text"] == "```2 documents\n  7  Essay  (essay.txt)```"
    assert notice_message("Sorry.").blocks is None


def test_seen_keys_answer_once_and_stay_bounded() -> None:
    seen = SeenKeys(limit=3)
    assert seen.first("a") and not seen.first("a")
    for key in "bcd":
        seen.add(key)
    assert "a" not in seen and "d" in seen  # the oldest forgotten, memory flat
    assert seen.newest(2) == ["c", "d"] and seen.newest(0) == []


def test_feedback_log_appends_whole_lines(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "sub" / "feedback.jsonl")
    first = Feedback("slack", "U1", "up", "Wer?", "Die [1].", ("essay#1",), "C1", "1.2")
    log.record(first)
    log.record(Feedback("slack", "U1", "down", "Wer?", "Die [1].", ("essay#1",), "C1", "1.2"))
    assert [r.vote for r in log.read()] == ["up", "down"]
    assert log.read()[0] == first
    lines = (tmp_path / "sub" / "feedback.jsonl").read_text("utf-8").splitlines()
    assert json.loads(lines[0])["question"] == "Wer?"
