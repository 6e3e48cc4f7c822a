"""Thread memory: bounded by turns, tokens and threads."""

from __future__ import annotations

from bot.answering.memory import MAX_THREAD_TOKENS, ThreadMemory, ThreadMessage, Turn, turns_of


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


def test_a_thread_read_from_the_platform_becomes_bounded_turns() -> None:
    thread = [ThreadMessage("Where do the clusters come from?", False),
              ThreadMessage("From US providers [1].\n\n[1] Der Mythos ¶3", True),
              ThreadMessage("I doubt it.", False), ThreadMessage("Me too.", False)]
    assert turns_of(thread) == (Turn("Where do the clusters come from?",
                                     "From US providers [1]."),
                                Turn("I doubt it. Me too.", ""))
    long = [ThreadMessage(f"message {n} " + "x" * 50, n % 2 == 1) for n in range(500)]
    turns = turns_of(long)
    said = " ".join(t.question + " " + t.answer for t in turns)
    assert "message 499" in said and "message 479" not in said and "message 480" in said
    huge = [ThreadMessage("y" * 100_000, False)] * 3
    assert sum(len(t.question) for t in turns_of(huge)) <= MAX_THREAD_TOKENS * 4
