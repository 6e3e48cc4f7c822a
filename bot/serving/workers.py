"""The bot, run off an adapter's event loop.

Answering embeds text (CPU), so it runs on a few threads; a refresh gets a thread of its
own so questions are still answered while it runs. Every piece of work an adapter starts
is tracked, so shutdown can wait for answers already on their way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from bot.serving.commands import Reply, Request
from bot.serving.platform import Bot


class Workers:
    def __init__(self, bot: Bot, platform: str, threads: int = 2) -> None:
        self.bot = bot
        self.platform = platform
        self._answering = ThreadPoolExecutor(threads, thread_name_prefix=f"{platform}-answer")
        self._refreshing = ThreadPoolExecutor(1, thread_name_prefix=f"{platform}-refresh")
        self._tasks: set[asyncio.Future[None]] = set()

    def starts_a_refresh(self, request: Request) -> bool:
        """Whether this request starts a refresh (and so deserves a 'started' notice)."""
        return request.command.name == "refresh" and self.bot.is_admin(request.user,
                                                                        request.platform)

    async def handle(self, request: Request) -> Reply:
        pool = self._refreshing if request.command.name == "refresh" else self._answering
        return await asyncio.get_running_loop().run_in_executor(
            pool, partial(self.bot.handle, request))

    @property
    def busy(self) -> int:
        """Answers and commands in progress."""
        return len(self._tasks)

    def start(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 30.0) -> None:
        """Let work in progress finish (up to `timeout`), then release the threads."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout)
        self._answering.shutdown(wait=False, cancel_futures=True)
        self._refreshing.shutdown(wait=False, cancel_futures=True)
