"""Slack: the bot answers the members of its own workspace (guests included: the workspace
invited them); people from other organisations in a Slack Connect channel get nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.slack.adapter import SlackAdapter, SlackConfig
from bot.serving.feedback import FeedbackLog
from testing.running_bot import RunningBot
from testing.slack_server import BOT_USER, SlackStandIn, wait_until
from tests.test_chat_contract import ScriptedBot

pytestmark = pytest.mark.e2e


def test_slack_connect_users_are_not_answered(slack: SlackStandIn, tmp_path: Path) -> None:
    bot = ScriptedBot()
    adapter = SlackAdapter(bot, SlackConfig(slack.bot_token, slack.app_token,
                                            api_url=slack.api_url),
                           FeedbackLog(tmp_path / "feedback.jsonl"))
    with RunningBot(adapter):
        wait_until(lambda: slack.connected, what="Socket Mode")
        outsider = slack.say("C1", "UOUT", f"<@{BOT_USER}> what do your documents say?",
                             team="T0OTHER")
        member = slack.say("C1", "UANA", f"<@{BOT_USER}> and for me?")
        wait_until(lambda: slack.replies_to(member), what="the member's answer")
        wait_until(lambda: adapter.events_handled >= 4 and adapter.busy == 0,
                   what="every event handled")
    assert slack.replies_to(outsider) == []
    assert [r.user for r in bot.requests] == ["UANA"]
