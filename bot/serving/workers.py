"""The assistant, run off an adapter's event loop.

Answering embeds text (CPU), so it runs on a few threads; a refresh gets a thread of its
own so questions are still answered while it runs. Every piece of work an adapter starts
is tracked, so shutdown can wait for answers already on their way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from bot.serving.assistant import Assistant, Reply
from bot.serving.commands import parse


class Workers:
    def __init__(self, assistant: Assistant, platform: str, threads: int = 2) -> None:
        self.assistant = assistant
        self.platform = platform
        self._answering = ThreadPoolExecutor(threads, thread_name_prefix=f"{platform}-answer")
        self._refreshing = ThreadPoolExecutor(1, thread_name_prefix=f"{platform}-refresh")
        self._tasks: set[asyncio.Future[None]] = set()

    def is_admin_refresh(self, text: str, user: str) -> bool:
        """Whether this message starts a refresh (and so deserves a 'started' notice)."""
        return parse(text).name == "refresh" and self.assistant.is_admin(user, self.platform)

    async def handle(self, text: str, user: str, thread: str = "") -> Reply:
        pool = self._refreshing if parse(text).name == "refresh" else self._answering
        call = partial(self.assistant.handle, text, user=user, platform=self.platform,
                       thread=thread)
        return await asyncio.get_running_loop().run_in_executor(pool, call)

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
