"""The refresh progress bar and log lines on one terminal."""

from __future__ import annotations

import io
import logging

from bot.adapters.terminal.progress import BarProgress, progress_for


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_lines_during_a_refresh_go_above_the_bar_and_back_after() -> None:
    terminal = Terminal()
    handler = logging.StreamHandler(terminal)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        progress = progress_for(terminal)
        assert isinstance(progress, BarProgress)
        progress.start(2)
        assert handler.stream is not terminal  # drawn by the bar's console meanwhile
        logging.getLogger("knowledge.index.refresh").warning("source a.pdf skipped: not a PDF")
        progress.advance("a.pdf")
        progress.advance("b.md")
        progress.finish()
        assert handler.stream is terminal
        logging.getLogger("knowledge.index.refresh").warning("after the bar")
    finally:
        root.removeHandler(handler)
    output = terminal.getvalue()
    assert output.count("source a.pdf skipped: not a PDF") == 1
    assert output.endswith("after the bar\n")


def test_no_bar_when_not_a_terminal() -> None:
    assert not isinstance(progress_for(io.StringIO()), BarProgress)
