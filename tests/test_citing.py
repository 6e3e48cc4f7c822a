"""Citation checking of generated answers."""

from __future__ import annotations

from bot.answering.citing import check_citations


def test_markers_are_renumbered_in_order_of_first_use() -> None:
    checked = check_citations("Compute decides [3]. Startups rent GPUs [1][3].", passages=3)
    assert checked.text == "Compute decides [1]. Startups rent GPUs [2] [1]."
    assert checked.cited == (3, 1)
    assert checked.removed == ()


def test_invented_numbers_are_removed_and_punctuation_repaired() -> None:
    checked = check_citations("Europe depends on US clouds [7]. It needs HPC centres [2].",
                              passages=5)
    assert checked.text == "Europe depends on US clouds. It needs HPC centres [1]."
    assert checked.cited == (2,)
    assert checked.removed == (7,)


def test_lists_and_ranges_are_read() -> None:
    checked = check_citations("Both say so [2, 1]. All three agree [1-3].", passages=3)
    assert checked.cited == (2, 1, 3)
    assert checked.text == "Both say so [1] [2]. All three agree [2] [1] [3]."


def test_an_answer_without_valid_citations_cites_nothing() -> None:
    checked = check_citations("Europe is doing great [9].", passages=2)
    assert checked.cited == ()
    assert checked.text == "Europe is doing great."


def test_no_answer_is_recognised() -> None:
    assert check_citations("NO_ANSWER", 3).declined
    assert check_citations("  no_answer. ", 3).declined
    assert not check_citations("The answer is clear [1].", 3).declined


def test_brackets_that_are_not_markers_stay() -> None:
    checked = check_citations("The term [sic] is quoted [1].", passages=1)
    assert checked.text == "The term [sic] is quoted [1]."
