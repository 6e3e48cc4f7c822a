"""The terminal chat: questions and the commands (refresh, add FILE, sources, help...)."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from bot.adapters.terminal.progress import progress_for
from bot.serving.commands import Request
from bot.serving.platform import Bot
from bot.serving.render import answer_text, check_text, comparison_text, printable

PROMPT = "you> "
GOODBYES = {"quit", "exit", "bye", ":q"}


def _safe(text: str) -> str:
    """Shown as written: no terminal controls, no rich markup."""
    return escape(printable(text))


def _rich_highlight(escaped: str) -> str:
    return f"[bold yellow]{escaped}[/bold yellow]"


def chat(bot: Bot, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    console = Console(file=stdout, highlight=False, soft_wrap=True,
                      force_terminal=interactive, no_color=not interactive)
    console.print("policybot: ask about the sources; `help` lists commands, `quit` leaves.")
    while True:
        if interactive:
            console.print(PROMPT, end="")
        line = stdin.readline()
        if not line:
            return 0
        text = line.strip()
        if not text:
            continue
        if text.lower() in GOODBYES:
            return 0
        request = replace(Request.of(text, user="terminal", platform="terminal",
                                     thread="terminal", place="terminal"),
                          tell=lambda notice: console.print(_safe(notice)))
        reply = bot.handle(request, progress=progress_for(sys.stderr))
        if reply.answer is not None and interactive:
            console.print(answer_text(reply.answer, _rich_highlight, _safe))
        elif reply.comparison is not None and interactive:
            console.print(comparison_text(reply.comparison, _rich_highlight, _safe))
        elif reply.check is not None and interactive:
            console.print(check_text(reply.check, _rich_highlight, _safe))
        else:
            console.print(_safe(reply.text))
        console.print()
