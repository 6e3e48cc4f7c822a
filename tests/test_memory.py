"""Thread memory: bounded by turns, tokens and threads."""

from __future__ import annotations

from bot.answering.memory import ThreadMemory


def test_history_keeps_the_last_turns_oldest_first() -> None:
    memory = ThreadMemory(max_turns=2)
    for i in range(3):
        memory.add("t", f"q{i}", f"a{i}")
    assert [turn.question for turn in memory.history("t")] == ["q1", "q2"]
    assert memory.history("other") == ()


def test_history_fits_the_token_budget() -> None:
    memory = ThreadMemory(max_turns=10, max_tokens=10)  # 40 characters
    memory.add("t", "x" * 15, "y" * 15)
    memory.add("t", "short?", "short.")
    assert [turn.question for turn in memory.history("t")] == ["short?"]


def test_oldest_threads_are_forgotten() -> None:
    memory = ThreadMemory(max_threads=2)
    for thread in ("a", "b", "c"):
        memory.add(thread, "q", "a")
    assert not memory.knows("a")
    assert memory.knows("b") and memory.knows("c")
