"""What was said earlier in a thread, so follow-ups can be understood."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

# A rough, model-independent token estimate: real tokenizers need downloaded files.
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str


class ThreadMemory:
    """The last few turns per thread, within a token budget; the oldest threads forgotten."""

    def __init__(self, max_turns: int = 4, max_tokens: int = 1000,
                 max_threads: int = 2000) -> None:
        self.max_turns = max_turns
        self.max_chars = max_tokens * CHARS_PER_TOKEN
        self.max_threads = max_threads
        self._threads: OrderedDict[str, list[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, thread: str) -> tuple[Turn, ...]:
        """Newest turns that fit the budget, oldest first."""
        with self._lock:
            turns = list(self._threads.get(thread, ()))
        kept: list[Turn] = []
        used = 0
        for turn in reversed(turns[-self.max_turns:]):
            used += len(turn.question) + len(turn.answer)
            if used > self.max_chars and kept:
                break
            kept.append(turn)
        return tuple(reversed(kept))

    def add(self, thread: str, question: str, answer: str) -> None:
        # A single answer may be long: keep its start, which carries the gist.
        turn = Turn(question[: self.max_chars // 2], answer[: self.max_chars // 2])
        with self._lock:
            turns = self._threads.pop(thread, [])
            turns = [*turns, turn][-self.max_turns:]
            self._threads[thread] = turns
            while len(self._threads) > self.max_threads:
                self._threads.popitem(last=False)

    def knows(self, thread: str) -> bool:
        with self._lock:
            return thread in self._threads
