"""`policybot run` in production shape: a Chroma server, Slack, /healthz and /metrics, JSON
logs and SIGTERM, each a real process or server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import errors
from bot.serving import health
from bot.serving.health import HealthServer
from bot.serving.logs import JsonFormatter, OneLineFormatter
from bot.serving.metrics import Metrics
from bot.serving.settings import Settings
from testing.chroma_server import ChromaServer, free_port
from testing.openai_server import ChatReply, OpenAIServer
from testing.slack_server import SlackStandIn, wait_until
from tests.conftest import ESSAY, Serving, policybot, responds

QUESTION = "Who really wins the open-source AI race?"
OFF_TOPIC = "What is the best recipe for apple pie?"


def samples(metrics: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a Prometheus exposition, by name and labels."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(metrics) for s in family.samples}


def ask(slack: SlackStandIn, channel: str, text: str) -> dict[str, object]:
    slack.say(channel, "UANA", text, channel_type="im")
    return dict(wait_until(lambda: slack.posts(channel), what=f"the answer in {channel}")[0])


@pytest.mark.e2e
def healthz(health: str, status: int) -> dict[str, object] | None:
    """/healthz's report, if it answered with this status."""
    response = httpx.get(f"{health}/healthz", timeout=30)
    return dict(response.json()) if response.status_code == status else None


def test_health_metrics_and_json_logs_with_a_chroma_server_that_goes_away(
    tmp_path: Path, cli_env: dict[str, str], slack: SlackStandIn
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(ESSAY, sources / ESSAY.name)
    chroma = ChromaServer(tmp_path / "chroma")
    chroma.start()
    port = free_port()
    env = {**cli_env, "POLICYBOT_DATA_DIR": str(tmp_path / "data"),
           "POLICYBOT_SOURCES": str(sources), "POLICYBOT_CHROMA_URL": chroma.url,
           "POLICYBOT_SLACK_BOT_TOKEN": slack.bot_token + "-secret-part",
           "POLICYBOT_SLACK_APP_TOKEN": slack.app_token,
           "POLICYBOT_SLACK_API_URL": slack.api_url, "POLICYBOT_METRICS_PORT": str(port),
           "POLICYBOT_METRICS_HOST": "127.0.0.1", "POLICYBOT_LOG_FORMAT": "json",
           "POLICYBOT_LOG_LEVEL": "INFO"}
    slack.bot_token = env["POLICYBOT_SLACK_BOT_TOKEN"]
    assert policybot(["refresh"], env).returncode == 0
    health = f"http://127.0.0.1:{port}"
    try:
        with Serving(env) as bot:
            bot.wait_ready(lambda: slack.connected, "policybot run to connect")
            wait_until(lambda: responds(f"{health}/healthz"), what="the health endpoint")
            ready = httpx.get(f"{health}/healthz")
            assert ready.status_code == 200
            assert ready.json() == {"status": "ok", "store": "ok",
                                    "adapters": {"slack": "connected"}}
            assert "*[1]*" in json.dumps(ask(slack, "D1", QUESTION))
            assert "I found nothing" in str(ask(slack, "D2", OFF_TOPIC)["text"])
            chroma.stop()
            assert ask(slack, "D3", QUESTION)["text"] == errors.STORE_DOWN
            # The store's verdict is cached for STORE_CHECK_FRESH_SECONDS.
            down = wait_until(lambda: healthz(health, 503), timeout=60, what="unhealthy")
            assert down["store"] == "unreachable"
            chroma.start()  # same port, same data: the bot reconnects by itself
            assert "*[1]*" in json.dumps(ask(slack, "D4", QUESTION))
            wait_until(lambda: healthz(health, 200), timeout=60, what="healthy again")
            exposition = httpx.get(f"{health}/metrics").text
            assert bot.stop() == 0
    finally:
        chroma.stop()
    values = samples(exposition)

    def value(name: str, **labels: str) -> float:
        return values.get((name, frozenset(labels.items())), 0.0)

    assert value("policybot_questions_total", platform="slack", outcome="answered") == 2
    assert value("policybot_questions_total", platform="slack", outcome="refused") == 1
    assert value("policybot_questions_total", platform="slack", outcome="failed") == 1
    assert value("policybot_answer_seconds_count", platform="slack") == 4
    assert value("policybot_errors_total", kind="store") == 1
    assert value("policybot_passages") > 0
    lines = bot.stderr.splitlines()
    assert lines and all(json.loads(line)["level"] for line in lines)  # JSON, one per line
    assert "-secret-part" not in bot.stderr and "[redacted]" not in bot.stdout
    assert bot.stdout == ""


@pytest.mark.e2e
def test_sigterm_lets_the_question_in_flight_finish(cli_env: dict[str, str],
                                                    slack: SlackStandIn) -> None:
    with OpenAIServer() as model:
        model.replies = [ChatReply("Die Hyperscaler gewinnen [1].", delay=3.0)]
        env = {**cli_env, "POLICYBOT_SLACK_BOT_TOKEN": slack.bot_token,
               "POLICYBOT_SLACK_APP_TOKEN": slack.app_token,
               "POLICYBOT_SLACK_API_URL": slack.api_url, "POLICYBOT_LLM": "openai:test",
               "POLICYBOT_LLM_BASE_URL": model.url}
        with Serving(env) as bot:
            bot.wait_ready(lambda: slack.connected, "policybot run to connect")
            slack.say("D1", "UANA", QUESTION, channel_type="im")
            wait_until(model.chat_requests, what="the question at the model")
            code = bot.stop()  # SIGTERM while the model is still thinking
    assert code == 0, bot.stderr
    answer = slack.posts("D1")
    assert len(answer) == 1 and "Die Hyperscaler gewinnen [1]." in str(answer[0]["text"])


def test_log_lines_are_single_and_carry_no_secrets() -> None:
    try:
        raise ValueError("token xoxb-123456 rejected\nsecond line")
    except ValueError:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "failed with %s",
                                   ("xoxb-123456",), exc_info=sys.exc_info())
    text = OneLineFormatter(["xoxb-123456"]).format(record)
    assert "\n" not in text and "xoxb-123456" not in text
    assert text.endswith("ERROR bot: failed with [redacted] | ValueError: token [redacted] "
                         "rejected")
    event = json.loads(JsonFormatter(["xoxb-123456"]).format(record))
    assert event["message"] == "failed with [redacted]" and event["level"] == "ERROR"
    assert "Traceback" in event["exception"] and "xoxb-123456" not in event["exception"]
    assert OneLineFormatter(["abc"]).redact("abc") == "abc"  # too short to be a secret


def test_a_logged_value_cannot_forge_a_log_line() -> None:
    forged = "$event\n2026-12-07T10:00:00 INFO bot: admin token accepted\x1b[2J\u2028x"
    record = logging.LogRecord("bot.matrix", logging.INFO, __file__, 1, "sent %s",
                               (forged,), None)
    text = OneLineFormatter().format(record)
    assert "\n" not in text and "\x1b" not in text and "\u2028" not in text
    assert text.endswith("sent $event\\n2026-12-07T10:00:00 INFO bot: admin token accepted"
                         "\\x1b[2J\\u2028x")


def test_health_and_metrics_listen_on_this_host_unless_opened() -> None:
    assert Settings(_env_file=None).metrics_host == "127.0.0.1"  # type: ignore[call-arg]


def test_json_logs_redact_a_secret_that_json_would_escape() -> None:
    secret = 'pa"ss\\word-123'
    record = logging.LogRecord("bot", logging.WARNING, __file__, 1, "login with %s failed",
                               (secret,), None)
    line = JsonFormatter([secret]).format(record)
    assert json.loads(line)["message"] == "login with [redacted] failed"
    assert "word-123" not in line


def test_health_checks_of_the_store_are_shared_and_cached() -> None:
    calls: list[float] = []

    def store_check() -> None:
        calls.append(time.monotonic())
        time.sleep(0.2)

    server = HealthServer(Metrics(), store_check, [], "127.0.0.1", 0)

    async def poll(times: int) -> list[bool]:
        return list(await asyncio.gather(*(server._store_ok() for _ in range(times))))

    assert asyncio.run(poll(50)) == [True] * 50
    assert asyncio.run(poll(50)) == [True] * 50
    assert len(calls) == 1  # fifty at once share one check; the next fifty its verdict


def test_a_store_that_does_not_answer_is_not_pinged_again_meanwhile(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health, "STORE_CHECK_SECONDS", 0.1)
    monkeypatch.setattr(health, "STORE_CHECK_FRESH_SECONDS", 0.0)
    calls: list[float] = []

    def hanging() -> None:
        calls.append(time.monotonic())
        time.sleep(1.0)

    server = HealthServer(Metrics(), hanging, [], "127.0.0.1", 0)

    async def poll() -> list[bool]:
        first = await server._store_ok()
        second = await server._store_ok()  # the first ping's thread still waits
        await asyncio.sleep(1.2)
        third = await server._store_ok()  # it has returned: a new ping
        await asyncio.sleep(1.2)
        return [first, second, third]

    assert asyncio.run(poll()) == [False, False, False]
    assert len(calls) == 2
