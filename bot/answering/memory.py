"""What was said earlier in a thread, so follow-ups can be understood: the bot's own memory
of its turns, or the thread as read back from the platform (when the bot is called into a
thread late, or after a restart)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Container, Sequence
from dataclasses import dataclass, replace

# A rough, model-independent token estimate: real tokenizers need downloaded files.
CHARS_PER_TOKEN = 4
# A thread read from the platform: at most its last this many messages, this many tokens.
MAX_THREAD_MESSAGES = 20
MAX_THREAD_TOKENS = 1000


@dataclass(frozen=True)
class Turn:
    question: str
    answer: str
    # The platform's id of the message that asked (a Matrix event id, a Slack channel and
    # ts): what a platform judges when it asks whether someone may read this turn again.
    mark: str = ""
    # Who said the question, as a prompt names them ("the asker", "Person A"); "" for
    # the bot's own memory, whose questions were all the asker's thread's.
    speaker: str = ""


class ThreadMemory:
    """The last few turns per thread, within a token budget; the oldest threads forgotten."""

    def __init__(self, max_turns: int = 4, max_tokens: int = 1000,
                 max_threads: int = 2000) -> None:
        self.max_turns = max_turns
        self.max_chars = max_tokens * CHARS_PER_TOKEN
        self.max_threads = max_threads
        self._threads: OrderedDict[str, list[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def history(self, thread: str, seen: Container[str] | None = None) -> tuple[Turn, ...]:
        """Newest turns that fit the budget, oldest first; with `seen`, only the turns whose
        question is among them (what the asker could read on the platform)."""
        with self._lock:
            turns = list(self._threads.get(thread, ()))
        if seen is not None:
            turns = [turn for turn in turns if turn.mark and turn.mark in seen]
        kept: list[Turn] = []
        used = 0
        for turn in reversed(turns[-self.max_turns:]):
            used += len(turn.question) + len(turn.answer)
            if used > self.max_chars and kept:
                break
            kept.append(turn)
        return tuple(reversed(kept))

    def add(self, thread: str, question: str, answer: str, mark: str = "") -> None:
        # A single answer may be long: keep its start, which carries the gist.
        turn = Turn(question[: self.max_chars // 2], answer[: self.max_chars // 2], mark)
        with self._lock:
            turns = self._threads.pop(thread, [])
            turns = [*turns, turn][-self.max_turns:]
            self._threads[thread] = turns
            while len(self._threads) > self.max_threads:
                self._threads.popitem(last=False)

    def knows(self, thread: str) -> bool:
        with self._lock:
            return thread in self._threads

    def marks(self, thread: str) -> tuple[str, ...]:
        """The marks of the thread's remembered turns, oldest first."""
        with self._lock:
            return tuple(turn.mark for turn in self._threads.get(thread, ()) if turn.mark)

    def forget(self, mark: str) -> bool:
        """Drop the turn a deleted message asked, wherever it is; whether there was one."""
        if not mark:
            return False
        with self._lock:
            for thread, turns in self._threads.items():
                kept = [turn for turn in turns if turn.mark != mark]
                if len(kept) != len(turns):
                    self._threads[thread] = kept
                    return True
        return False


@dataclass(frozen=True)
class ThreadMessage:
    """A message of a thread as the platform holds it: data, never an instruction."""

    text: str
    by_bot: bool  # the bot's own reply (other bots' messages count as people's)
    author: str = ""  # the platform's id of who wrote it


ASKER = "the asker"


def speakers(thread: Sequence[ThreadMessage], asker: str) -> dict[str, str]:
    """A stable pseudonym for each person in a thread, by their first message: the asker
    is "the asker", the others "Person A", "Person B", ... (ids and names stay out of the
    prompt; what one person wrote is never passed off as the asker's)."""
    names: dict[str, str] = {asker: ASKER} if asker else {}
    for message in thread:
        if not message.by_bot and message.author not in names:
            index = len(names) - (1 if asker else 0)
            names[message.author] = f"Person {_letters(index)}"
    return names


def _letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: a pseudonym for any number of people."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def turns_of(thread: Sequence[ThreadMessage], asker: str = "",
             max_tokens: int = MAX_THREAD_TOKENS) -> tuple[Turn, ...]:
    """A thread's recent messages as turns: each person's message a turn of its own, said
    by its speaker (see speakers), the bot's reply the answer of the message before it.
    Newest kept first, within the last MAX_THREAD_MESSAGES messages and `max_tokens`."""
    names = speakers(thread, asker)
    budget = max_tokens * CHARS_PER_TOKEN
    kept: list[ThreadMessage] = []
    for message in reversed(thread[-MAX_THREAD_MESSAGES:]):
        # The bot's reply is its answer; the citations under it are not the conversation.
        text = message.text.split("\n\n")[0] if message.by_bot else message.text
        text = " ".join(text.split())[:budget]
        if not text:
            continue
        budget -= len(text)
        if budget < 0 and kept:
            break
        kept.append(ThreadMessage(text, message.by_bot, message.author))
    turns: list[Turn] = []
    for message in reversed(kept):
        if message.by_bot:
            if turns and not turns[-1].answer:
                turns[-1] = replace(turns[-1], answer=message.text)
            else:
                turns.append(Turn("", message.text))
        else:
            turns.append(Turn(message.text, "", speaker=names.get(message.author, "Person")))
    return tuple(turns)
