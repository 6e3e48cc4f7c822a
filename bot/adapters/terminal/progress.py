"""A refresh progress bar on a terminal; silence elsewhere (logs, pipes, CI).

While the bar is shown, log lines written to the same terminal go through the bar's console,
which prints them above the bar; written directly they were drawn over by the next frame.
"""

from __future__ import annotations

import logging
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.text import Text

from knowledge import NoProgress, Progress


class _AboveTheBar:
    """A stream for log handlers that prints each line above the live bar."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def write(self, text: str) -> int:
        if text.strip():
            self.console.print(Text(text.rstrip("\n")), soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        self.console.file.flush()


class BarProgress:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._bar = RichProgress(
            TextColumn("refresh"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.description}"), TimeElapsedColumn(),
            console=Console(file=stream), transient=True,
        )
        self._task = self._bar.add_task("", total=None)
        self._moved: list[tuple[logging.StreamHandler[TextIO], TextIO]] = []

    def start(self, total: int) -> None:
        self._bar.update(self._task, total=total)
        self._bar.start()
        above = _AboveTheBar(self._bar.console)
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is self.stream:
                self._moved.append((handler, handler.setStream(above)))  # type: ignore[arg-type]

    def advance(self, source: str) -> None:
        self._bar.update(self._task, advance=1, description=source[-40:])

    def finish(self) -> None:
        for handler, original in self._moved:
            handler.setStream(original)
        self._moved.clear()
        self._bar.stop()


def progress_for(stream: TextIO) -> Progress:
    return BarProgress(stream) if stream.isatty() else NoProgress()
