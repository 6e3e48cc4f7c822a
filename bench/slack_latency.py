"""Slack: time from an event to the answer's chat.postMessage, one by one and 50 at once.

The real adapter (Bolt, Socket Mode websocket) runs against the local Slack stand-in from
the tests, over the seed essay with extractive answers. Times are taken on one clock: the
stand-in notes when it pushes the event and when the bot's chat.postMessage arrives. The
assistant alone (no Slack) is timed on the same questions in the same run, so the adapter's
own share is the difference.

Run: .venv/bin/python -m bench.slack_latency
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from functools import partial
from pathlib import Path

from bench.essay import assistant_seconds, essay_knowledge, questions
from bot.adapters.slack.adapter import SlackAdapter, SlackConfig
from bot.cli.tables import percentile_ms, table
from bot.serving.assistant import Assistant
from bot.serving.feedback import FeedbackLog
from knowledge.assembly.knowledge_base import KnowledgeBase
from testing.running_bot import RunningBot
from testing.slack_server import SlackStandIn, wait_until

COUNT = 50


def latencies(slack: SlackStandIn, channels: list[str]) -> list[float]:
    """Seconds from each channel's question being pushed to the bot's answer arriving."""
    pushed = {d.body["event"]["channel"]: d.sent_at for d in slack.deliveries.values()}
    answered = {c.args["channel"]: c.at for c in slack.called("chat.postMessage")}
    return [answered[ch] - pushed[ch] for ch in channels if ch in answered]


def delivered(kb: KnowledgeBase, texts: list[str], data: Path, burst: bool) -> list[object]:
    """One run against a fresh stand-in: the table row for it."""
    with SlackStandIn() as slack:
        config = SlackConfig(bot_token=slack.bot_token, app_token=slack.app_token,
                             api_url=slack.api_url)
        adapter = SlackAdapter(Assistant(kb), config, FeedbackLog(data / "feedback.jsonl"))
        with RunningBot(adapter):
            wait_until(lambda: slack.connected, what="Socket Mode")
            slack.say("DWARM", "U0", texts[0], channel_type="im")
            wait_until(lambda: slack.posts("DWARM"), what="the warm-up answer")
            channels = [f"D{n}" for n in range(len(texts))]
            started = time.monotonic()
            # Each from a person of their own: one person's 50 at once meet the per-person
            # limit of fair service (bench/fair_queue.py measures that).
            for n, (channel, text) in enumerate(zip(channels, texts, strict=True)):
                slack.say(channel, f"U{n + 1}", text, channel_type="im")
                if not burst:
                    wait_until(partial(slack.posts, channel), what="the answer")
            with contextlib.suppress(AssertionError):  # what never came is counted as lost
                wait_until(lambda: all(slack.posts(ch) for ch in channels), timeout=300,
                           what="all answers")
            wall = time.monotonic() - started
            times = latencies(slack, channels)
            duplicates = len(slack.posts()) - 1 - len(times)
    label = f"{len(texts)} at once" if burst else "one at a time"
    return [label, len(times), len(texts) - len(times), duplicates,
            percentile_ms(times, 50), percentile_ms(times, 95), f"{wall:.1f} s"]


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="policybot-slack-"))
    kb = essay_knowledge(data)
    texts = (questions() * 4)[:COUNT]
    alone = assistant_seconds(kb, texts)
    rows = [delivered(kb, texts, data, burst=False), delivered(kb, texts, data, burst=True)]
    print(table(["delivery", "answered", "lost", "duplicates", "p50 ms", "p95 ms", "wall"],
                rows))
    print()
    print(table(["assistant alone (no Slack)", "p50 ms", "p95 ms"],
                [["same questions", percentile_ms(alone, 50), percentile_ms(alone, 95)]]))


if __name__ == "__main__":
    main()
