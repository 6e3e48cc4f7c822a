"""A real chat adapter running in a thread of its own, as `policybot run` runs it."""

from __future__ import annotations

import asyncio
import threading

from bot.serving.platform import Adapter


class RunningBot:
    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._main, name="chat-adapter", daemon=True)

    def _main(self) -> None:
        async def run() -> None:
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._started.set()
            await self.adapter.run(self._stop)

        try:
            asyncio.run(run())
        except BaseException as error:  # surfaced by stop(), where the test can see it
            self.error = error
            self._started.set()

    def __enter__(self) -> RunningBot:
        self._thread.start()
        self._started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)
        assert not self._thread.is_alive(), "the bot did not stop"
