"""What feedback keeps, and for how long: question and answer text are people's words,
kept POLICYBOT_FEEDBACK_DAYS (90 by default), none at all with 0."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.serving.feedback import FEEDBACK_DAYS, Feedback, FeedbackLog
from bot.serving.settings import Settings


def vote(question: str, days_ago: float, now: float) -> Feedback:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - days_ago * 86400))
    return Feedback(platform="slack", user="UANA", vote="up", question=question,
                    answer="Die Hyperscaler [1].", cited=("p1",), time=stamp)


def test_records_past_their_time_are_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    now = time.time()
    path = tmp_path / "feedback.jsonl"
    writer = FeedbackLog(path, keep_days=1e9)  # writes everything as it comes
    for question, days in [("old", 120), ("recent", 10), ("older", 91), ("today", 0)]:
        writer.record(vote(question, days, now))
    with path.open("a", encoding="utf-8") as out:
        out.write("not json, written by hand\n")
    log = FeedbackLog(path)
    assert log.keep_days == FEEDBACK_DAYS == Settings(_env_file=None).feedback_days  # type: ignore[call-arg]
    assert log.prune(now) == 2
    assert [r.question for r in FeedbackLog(path).read()] == ["recent", "today"]
    assert path.read_text("utf-8").endswith("not json, written by hand\n")  # nothing lost
    assert log.prune(now) == 0


def test_a_vote_prunes_when_due_and_zero_days_keeps_no_text(tmp_path: Path) -> None:
    now = time.time()
    path = tmp_path / "feedback.jsonl"
    FeedbackLog(path, keep_days=1e9).record(vote("a year ago", 365, now))
    FeedbackLog(path, keep_days=30).record(vote("now", 0, now))  # its first record prunes
    assert [json.loads(line)["question"] for line in path.read_text("utf-8").splitlines()] \
        == ["now"]
    silent = tmp_path / "silent.jsonl"
    FeedbackLog(silent, keep_days=0).record(vote("Wer zahlt?", 0, now))
    (record,) = [json.loads(line) for line in silent.read_text("utf-8").splitlines()]
    assert record["question"] == "" and record["answer"] == ""
    assert record["vote"] == "up" and record["cited"] == ["p1"]


def test_zero_days_empties_the_text_written_before(tmp_path: Path) -> None:
    now = time.time()
    path = tmp_path / "feedback.jsonl"
    FeedbackLog(path, keep_days=90).record(vote("Wer zahlt?", 1, now))
    assert FeedbackLog(path, keep_days=0).prune(now) == 1
    (record,) = FeedbackLog(path).read()
    assert (record.question, record.answer, record.vote) == ("", "", "up")
