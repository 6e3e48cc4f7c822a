"""A refresh progress bar on a terminal; silence elsewhere (logs, pipes, CI)."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

from knowledge.refresh import NoProgress, Progress


class BarProgress:
    def __init__(self, stream: TextIO) -> None:
        self._bar = RichProgress(
            TextColumn("refresh"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.description}"), TimeElapsedColumn(),
            console=Console(file=stream), transient=True,
        )
        self._task = self._bar.add_task("", total=None)

    def start(self, total: int) -> None:
        self._bar.update(self._task, total=total)
        self._bar.start()

    def advance(self, source: str) -> None:
        self._bar.update(self._task, advance=1, description=source[-40:])

    def finish(self) -> None:
        self._bar.stop()


def progress_for(stream: TextIO) -> Progress:
    return BarProgress(stream) if stream.isatty() else NoProgress()
