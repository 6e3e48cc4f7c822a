"""Thumbs up or down on an answer, appended to a JSON Lines file under the data dir."""

from __future__ import annotations

import calendar
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]
FEEDBACK_FILE = "feedback.jsonl"


@dataclass(frozen=True)
class Feedback:
    platform: str
    user: str
    vote: Vote
    question: str
    answer: str
    cited: tuple[str, ...]  # passage ids of the answer's citations
    conversation: str = ""  # channel or room
    message: str = ""  # the answer's message id on the platform
    time: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                            time.gmtime()))


# A record's question and answer are what people asked and were told: kept this many
# days by default (POLICYBOT_FEEDBACK_DAYS), long enough to review a quarter's feedback.
FEEDBACK_DAYS = 90
# Records past their time are dropped at start-up and then at most this often.
PRUNE_EVERY_SECONDS = 3600.0


class FeedbackLog:
    """One JSON object per line, appended whole so readers never see half a record.

    A changed vote is a new line: readers take the last line per user and message.
    Records older than `keep_days` are dropped (the file rewritten aside and swapped in);
    with `keep_days` 0 the question and answer are never written, only the vote, the
    passages cited and where.
    """

    def __init__(self, path: Path, keep_days: float = FEEDBACK_DAYS) -> None:
        self.path = path
        self.keep_days = keep_days
        self._lock = threading.Lock()
        self._pruned_at = 0.0

    def record(self, feedback: Feedback) -> None:
        if self.keep_days <= 0:
            feedback = replace(feedback, question="", answer="")
        line = json.dumps(asdict(feedback), ensure_ascii=False) + "\n"
        with self._lock:
            self._prune_if_due()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)

    def prune(self, now: float | None = None) -> int:
        """Drop the records past their time (with `keep_days` 0, empty every record's
        question and answer); how many records changed."""
        with self._lock:
            return self._prune(time.time() if now is None else now)

    def _prune_if_due(self) -> None:
        if time.monotonic() - self._pruned_at >= PRUNE_EVERY_SECONDS or not self._pruned_at:
            try:
                self._prune(time.time())
            except OSError:  # the vote is still written; the next prune tries again
                log.warning("could not prune %s", self.path, exc_info=True)

    def _prune(self, now: float) -> int:
        self._pruned_at = time.monotonic()
        if not self.path.exists():
            return 0
        lines = self.path.read_text("utf-8").splitlines(keepends=True)
        if self.keep_days <= 0:
            # No text kept: what was written before the setting changed loses it too.
            kept = [_without_text(line) for line in lines if line.strip()]
            dropped = sum(1 for old, new in zip(
                [line for line in lines if line.strip()], kept, strict=True) if old != new)
        else:
            cutoff = now - self.keep_days * 86400
            kept = [line for line in lines if line.strip() and not _older(line, cutoff)]
            dropped = sum(1 for line in lines if line.strip()) - len(kept)
        if dropped:
            handle, temporary = tempfile.mkstemp(dir=self.path.parent,
                                                 prefix=f".{self.path.name}.")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.writelines(kept)
                    out.flush()
                    os.fsync(out.fileno())
                Path(temporary).replace(self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return dropped

    def read(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text("utf-8").splitlines():
            try:
                data = json.loads(line)
                data["cited"] = tuple(data["cited"])
                records.append(Feedback(**data))
            except (ValueError, TypeError, KeyError):
                continue  # a line written by hand, or half of one: not a record
        return records


def _without_text(line: str) -> str:
    """A record's line with its question and answer emptied (a line that cannot be read
    is left as it is)."""
    try:
        data = json.loads(line)
    except ValueError:
        return line
    if not isinstance(data, dict) or not (data.get("question") or data.get("answer")):
        return line
    return json.dumps({**data, "question": "", "answer": ""}, ensure_ascii=False) + "\n"


def _older(line: str, cutoff: float) -> bool:
    """Whether a record was written before the cutoff (a line that cannot be read is
    kept: the file is the operator's, and nothing is lost by a parse)."""
    try:
        stamp = json.loads(line).get("time", "")
        return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")) < cutoff
    except (ValueError, TypeError, AttributeError):
        return False
