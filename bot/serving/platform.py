"""What an adapter may ask of the bot, and what `policybot run` expects of an adapter."""

from __future__ import annotations

import asyncio
from typing import Protocol

from bot.serving.commands import Reply, Request
from knowledge import Progress


class Bot(Protocol):
    """The narrow interface adapters are given (the Assistant is one)."""

    def handle(self, request: Request, progress: Progress | None = None) -> Reply:
        """Run the request's command; blocking (adapters call it off their event loop)."""

    def help_text(self, wait: bool = True) -> str:
        """What the bot understands, with examples that work on its knowledge base (not
        `wait`ing for them to be made)."""

    def cost(self, request: Request) -> int:
        """The work a request will take, in searches and model calls (Workers' unit)."""

    def is_admin(self, user: str, platform: str) -> bool:
        """Whether this user may refresh the knowledge base."""

    def report_error(self, kind: str) -> None:
        """Count a failure the adapter met (kind: "platform")."""

    def remembered(self, thread: str) -> tuple[str, ...]:
        """The marks (platform message ids) of the turns remembered of a thread."""

    def forget(self, mark: str) -> None:
        """A message was deleted on its platform: forget the turn it asked."""


class Adapter(Protocol):
    name: str

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then finish the answers in progress."""

    async def healthy(self) -> bool:
        """Whether it is connected to its platform right now."""
