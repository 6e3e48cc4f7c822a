"""`policybot run`: the chat platforms the settings configure, else the terminal."""

from __future__ import annotations

import asyncio

from bot.adapters.matrix.adapter import MatrixAdapter, MatrixConfig
from bot.adapters.slack.adapter import SlackAdapter, SlackConfig
from bot.adapters.terminal.chat import chat
from bot.serving.assistant import Assistant
from bot.serving.feedback import FEEDBACK_FILE, FeedbackLog
from bot.serving.platform import Adapter
from bot.serving.serve import serve, with_health
from bot.serving.settings import Settings
from bot.serving.warming import warm_up


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
            allowed_users=tuple(settings.matrix_allowed_users),
            catch_up_seconds=settings.matrix_catch_up_hours * 3600,
        )))
    return adapters



def run(settings: Settings, assistant: Assistant) -> int:
    _ = assistant.knowledge.store  # an unreachable Chroma server stops start-up here
    warm_up(assistant.knowledge)
    adapters = configured_adapters(settings, assistant)
    if not adapters:
        return chat(assistant)  # no chat platform configured: talk in the terminal
    asyncio.run(serve(with_health(settings, assistant, adapters)))
    return 0
