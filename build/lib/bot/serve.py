"""`policybot run`: the configured chat platforms, side by side, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.adapters.matrix import MatrixAdapter, MatrixConfig
from bot.adapters.slack import SlackAdapter, SlackConfig
from bot.assistant import Assistant
from bot.feedback import FEEDBACK_FILE, FeedbackLog
from bot.health import HealthServer
from bot.platform import Adapter
from bot.settings import Settings

log = logging.getLogger(__name__)


def configured_adapters(settings: Settings, assistant: Assistant) -> list[Adapter]:
    adapters: list[Adapter] = []
    if settings.slack_bot_token:
        config = SlackConfig(
            bot_token=settings.slack_bot_token, app_token=settings.slack_app_token,
            signing_secret=settings.slack_signing_secret, api_url=settings.slack_api_url,
            host=settings.slack_host, port=settings.slack_port,
        )
        feedback = FeedbackLog(settings.data_dir / FEEDBACK_FILE)
        adapters.append(SlackAdapter(assistant, config, feedback))
    if settings.matrix_homeserver:
        adapters.append(MatrixAdapter(assistant, MatrixConfig(
            homeserver=settings.matrix_homeserver, user_id=settings.matrix_user_id,
            state_dir=settings.data_dir / "matrix", password=settings.matrix_password,
            access_token=settings.matrix_access_token,
            device_name=settings.matrix_device_name,
            allowed_servers=tuple(settings.matrix_allowed_servers),
            catch_up_seconds=settings.matrix_catch_up_hours * 3600,
        )))
    return adapters


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
