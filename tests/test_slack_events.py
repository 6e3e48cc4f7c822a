"""Slack payloads (in the shapes the Events API, slash commands and Block Kit actions
deliver, kept in tests/data/slack/) parsed into typed messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.adapters.slack.events import parse_click, parse_command, parse_event, question_text

DATA = Path(__file__).parent / "data" / "slack"


def payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text("utf-8"))
    return loaded


def event(name: str, kind: str = "message") -> Any:
    body = payload(name)
    return parse_event("mention" if kind == "mention" else "message", body["event"], body)


def test_a_mention_in_a_channel() -> None:
    message = event("app_mention", "mention")
    assert message is not None
    assert (message.kind, message.event_id, message.channel, message.user) == (
        "mention", "Ev0MENTION1", "C0POLICY", "U2ANA")
    assert message.thread_ts is None and not message.in_thread and not message.direct
    assert message.spoken and not message.bot_id
    assert question_text(message.text, "UBOT") == "Who provides the computing power?"


def test_a_mention_inside_a_thread_knows_its_thread() -> None:
    message = event("mention_in_thread", "mention")
    assert message is not None and message.in_thread
    assert message.thread_ts == "1764370000.000100"


def test_a_direct_message_and_a_thread_reply() -> None:
    direct = event("direct_message")
    assert direct is not None and direct.direct and direct.spoken
    reply = event("thread_reply")
    assert reply is not None and reply.in_thread and not reply.direct


def test_edits_and_bot_posts_are_not_people_talking() -> None:
    edit = event("message_changed")
    assert edit is not None and not edit.spoken
    posted = event("bot_message")
    assert posted is not None and posted.bot_id == "B0CI" and not posted.user


def test_an_event_without_channel_or_timestamp_is_not_a_message() -> None:
    assert event("no_channel") is None
    assert parse_event("message", {"channel": 5, "ts": None}, {}) is None


def test_a_slash_command() -> None:
    command = parse_command(payload("slash_command"))
    assert command is not None
    assert (command.user, command.channel, command.text) == (
        "U2ANA", "C0POLICY", "ask Ab wann gilt DORA?")
    assert parse_command({"text": "help"}) is None


def test_a_feedback_click_carries_question_and_cited_ids() -> None:
    body = payload("block_actions")
    click = parse_click(body, body["actions"][0])
    assert click is not None
    assert (click.user, click.channel, click.message_ts, click.vote) == (
        "U2ANA", "C0POLICY", "1764370600.000700", "up")
    assert click.question == "Wer stellt die Rechenleistung?" and click.cited == ("a1", "b2")
    assert click.answer == "The hyperscalers [1]."


def test_a_click_with_a_mangled_value_or_an_unknown_action() -> None:
    body = payload("block_actions")
    mangled = parse_click(body, {**body["actions"][0], "value": "{not json"})
    assert mangled is not None and mangled.question == "" and mangled.cited == ()
    assert parse_click(body, {**body["actions"][0], "action_id": "delete_all"}) is None
    assert parse_click({**body, "user": "U2ANA"}, body["actions"][0]) is None


def test_question_text_drops_the_bots_mention_and_resolves_markup() -> None:
    raw = ("<@UBOT> what did <@U2|ana> say in <#C1|policy> about "
           "<https://example.org|this> &amp; &lt;that&gt;? <!here>")
    assert question_text(raw, "UBOT") == \
        "what did @ana say in #policy about this & <that>? @here"


def test_the_senders_workspace_is_known() -> None:
    connect = event("connect_mention", "mention")
    assert connect is not None and connect.user_team == "T0OTHER"
    direct = event("direct_message")
    assert direct is not None and direct.user_team == "T0001"
