"""`policybot run`: the configured chat platforms, side by side, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.serving.assistant import Assistant
from bot.serving.health import HealthServer
from bot.serving.platform import Adapter
from bot.serving.settings import Settings

log = logging.getLogger(__name__)


def with_health(settings: Settings, assistant: Assistant,
                adapters: list[Adapter]) -> list[Adapter]:
    """The adapters, plus the health and metrics endpoint when a port is set."""
    if not settings.metrics_port:
        return adapters
    health = HealthServer(assistant.metrics, assistant.knowledge.store.ping, adapters,
                          settings.metrics_host, settings.metrics_port)
    return [*adapters, health]


async def serve(adapters: list[Adapter]) -> None:
    """Run every adapter; the first to fail stops the others and its error is raised.

    SIGTERM (or Ctrl-C) sets `stop`: adapters take no new questions, let those in flight
    finish (bounded), close their connections and return; then the process exits 0.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    tasks = [asyncio.create_task(adapter.run(stop)) for adapter in adapters]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    for task in done:
        error = task.exception()
        if error is not None:
            raise error
    log.info("stopped")
