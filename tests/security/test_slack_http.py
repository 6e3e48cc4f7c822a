"""Slack HTTP mode: a signed body Slack would never send gets a 400 (not a 500), and a
replayed signed slash command runs once."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from bot.adapters.slack.adapter import SlackAdapter, SlackConfig
from bot.serving.feedback import FeedbackLog
from testing.chroma_server import free_port
from testing.running_bot import RunningBot
from testing.slack_server import SlackStandIn, signed_request, slash_command, wait_until
from tests.conftest import responds
from tests.test_chat_contract import ScriptedBot

pytestmark = pytest.mark.e2e
SECRET = "s3cret-signing"


def test_bad_bodies_are_400_and_a_replayed_command_runs_once(slack: SlackStandIn,
                                                             tmp_path: Path) -> None:
    bot = ScriptedBot()
    port = free_port()
    adapter = SlackAdapter(bot, SlackConfig(slack.bot_token, "", SECRET, slack.api_url,
                                            "127.0.0.1", port),
                           FeedbackLog(tmp_path / "feedback.jsonl"))
    url = f"http://127.0.0.1:{port}/slack/events"
    with RunningBot(adapter), httpx.Client(timeout=10) as http:
        wait_until(lambda: responds(f"http://127.0.0.1:{port}/"), what="the HTTP listener")
        for garbage in ("{not json", "[1, 2]", ""):
            response = http.post(url, content=garbage, headers=signed_request(garbage, SECRET))
            assert response.status_code == 400, garbage
        form = urlencode(slash_command("ask Who provides the computing power?", "UANA", "C1"))
        headers = {**signed_request(form, SECRET),
                   "Content-Type": "application/x-www-form-urlencoded"}
        first = http.post(url, content=form, headers=headers)
        replayed = http.post(url, content=form, headers=headers)
        assert (first.status_code, replayed.status_code) == (200, 200)
        wait_until(lambda: bot.requests and adapter.busy == 0, what="the command to run")
    assert [r.command.argument for r in bot.requests] == ["Who provides the computing power?"]
