"""`policybot run`: the chat platforms the settings configure, else the terminal."""

from __future__ import annotations

import asyncio
import faulthandler
import logging

from bot.adapters.matrix.adapter import MatrixAdapter, MatrixConfig
from bot.adapters.slack.adapter import SlackAdapter, SlackConfig
from bot.adapters.terminal.chat import chat
from bot.serving.assistant import Assistant
from bot.serving.feedback import FEEDBACK_FILE, FeedbackLog
from bot.serving.platform import Adapter
from bot.serving.schedule import Schedule
from bot.serving.serve import serve, with_health
from bot.serving.settings import Settings
from bot.serving.warming import warm_up
from bot.serving.workers import Limits

log = logging.getLogger(__name__)


def configured_adapters(settings: Settings, assistant: Assistant) -> list[Adapter]:
    adapters: list[Adapter] = []
    limits = Limits(threads=settings.answer_threads, user_threads=settings.user_threads,
                    user_max_cost=settings.user_max_cost, queue_max=settings.queue_max)
    # One file for every platform's votes (Slack's buttons, Matrix's reactions).
    feedback = FeedbackLog(settings.data_dir / FEEDBACK_FILE, settings.feedback_days)
    if settings.slack_bot_token or settings.matrix_homeserver:
        try:
            feedback.prune()  # what is past its time goes at start-up
        except OSError:
            log.warning("could not prune the feedback file", exc_info=True)
    if settings.slack_bot_token:
        config = SlackConfig(
            bot_token=settings.slack_bot_token, app_token=settings.slack_app_token,
            signing_secret=settings.slack_signing_secret, api_url=settings.slack_api_url,
            host=settings.slack_host, port=settings.slack_port,
        )
        adapters.append(SlackAdapter(assistant, config, feedback, limits))
    if settings.matrix_homeserver:
        adapters.append(MatrixAdapter(assistant, MatrixConfig(
            homeserver=settings.matrix_homeserver, user_id=settings.matrix_user_id,
            state_dir=settings.data_dir / "matrix", password=settings.matrix_password,
            access_token=settings.matrix_access_token,
            device_name=settings.matrix_device_name,
            allowed_servers=tuple(settings.matrix_allowed_servers),
            allowed_users=tuple(settings.matrix_allowed_users),
            catch_up_seconds=settings.matrix_catch_up_hours * 3600,
        ), limits, feedback))
    if adapters and (settings.refresh_seconds() or settings.announce):
        adapters.append(Schedule(assistant, settings.refresh_seconds(), settings.announce,
                                 [a for a in adapters if isinstance(a, SlackAdapter |
                                                                    MatrixAdapter)]))
    return adapters


# Seconds the warm-up may go on after the bot stopped (it takes about 2 s; more where the
# bot stopped while it was still loading).
WARM_UP_JOIN = 60.0


def run(settings: Settings, assistant: Assistant) -> int:
    # A crash in native code (Chroma, BLAS) then leaves every thread's stack in the log.
    # One `policybot run` under load died of SIGSEGV on SIGTERM, with nothing to read.
    faulthandler.enable()
    _ = assistant.knowledge.store  # an unreachable Chroma server stops start-up here
    warming = warm_up(assistant.knowledge, then=assistant.help_text)
    try:
        adapters = configured_adapters(settings, assistant)
        if not adapters:
            return chat(assistant)  # no chat platform configured: talk in the terminal
        asyncio.run(serve(with_health(settings, assistant, adapters)))
        return 0
    finally:
        # Not left loading a model while the interpreter tears its modules down: a daemon
        # thread inside native code at exit can crash the process.
        warming.join(WARM_UP_JOIN)
