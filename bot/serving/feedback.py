"""Thumbs up or down on an answer, appended to a JSON Lines file under the data dir."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

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


class FeedbackLog:
    """One JSON object per line, appended whole so readers never see half a record.

    A changed vote is a new line: readers take the last line per user and message.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, feedback: Feedback) -> None:
        line = json.dumps(asdict(feedback), ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)

    def read(self) -> list[Feedback]:
        if not self.path.exists():
            return []
        records = []
        for line in self.path.read_text("utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                data["cited"] = tuple(data["cited"])
                records.append(Feedback(**data))
        return records
