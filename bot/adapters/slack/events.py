"""Slack's incoming payloads as typed messages: events (mentions, messages), slash commands
and button clicks. The adapter only decides what to do with them; nothing else in it reads
Slack's dicts. A payload missing what a message needs parses to None."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs

from bot.adapters.slack.files import SlackFile, files_of
from bot.adapters.slack.format import FEEDBACK_ACTIONS

# Message subtypes that are a person talking; edits, joins and bot posts are not questions.
SPOKEN_SUBTYPES = {None, "thread_broadcast", "file_share"}

Payload = Mapping[str, Any]
Vote = Literal["up", "down"]

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


@dataclass(frozen=True)
class Message:
    """A mention or a message event."""

    kind: Literal["mention", "message"]
    event_id: str  # the delivery's id ("" when the payload has none)
    channel: str
    ts: str
    thread_ts: str | None
    user: str
    text: str  # raw mrkdwn, as sent
    direct: bool  # in a direct message with the bot
    spoken: bool  # a person talking (not an edit, a join, a bot post)
    bot_id: str
    user_team: str  # the sender's own workspace ("" when the payload does not say)
    deleted: str = ""  # the ts of the message this event says was deleted
    files: tuple[SlackFile, ...] = ()  # shared with the message (what `add` takes)

    @property
    def in_thread(self) -> bool:
        """A reply inside a thread (not the thread's first message)."""
        return bool(self.thread_ts and self.thread_ts != self.ts)


@dataclass(frozen=True)
class SlashCommand:
    user: str
    channel: str
    text: str
    trigger_id: str  # unique per invocation: a replay carries the same one
    team: str = ""  # the person's own workspace (a Slack Connect user's is another)


@dataclass(frozen=True)
class Click:
    """A feedback button pressed under an answer."""

    user: str
    channel: str
    message_ts: str
    answer: str  # the text of the message clicked on
    vote: Vote
    question: str
    cited: tuple[str, ...]
    team: str = ""  # the clicker's own workspace ("" when the payload does not say)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse_event(kind: Literal["mention", "message"], event: Payload,
                body: Payload) -> Message | None:
    channel, ts = _text(event.get("channel")), _text(event.get("ts"))
    if not channel or not ts:
        return None
    thread_ts = _text(event.get("thread_ts")) or None
    subtype = event.get("subtype")
    return Message(
        kind=kind, event_id=_text(body.get("event_id")), channel=channel, ts=ts,
        thread_ts=thread_ts, user=_text(event.get("user")), text=_text(event.get("text")),
        direct=event.get("channel_type") == "im",
        spoken=subtype in SPOKEN_SUBTYPES,
        bot_id=_text(event.get("bot_id")) or ("bot" if subtype == "bot_message" else ""),
        user_team=_text(event.get("user_team")),
        deleted=_text(event.get("deleted_ts")) if subtype == "message_deleted" else "",
        files=files_of(event),
    )


def deleted(message: Mapping[str, Any]) -> bool:
    """Whether a message read back from a thread is what is left of a deleted one (a
    thread's first message, deleted, stays as a tombstone while it has replies)."""
    return message.get("subtype") == "tombstone"


def parse_command(payload: Payload) -> SlashCommand | None:
    user, channel = _text(payload.get("user_id")), _text(payload.get("channel_id"))
    if not user or not channel:
        return None
    return SlashCommand(user, channel, _text(payload.get("text")),
                        _text(payload.get("trigger_id")),
                        _text(payload.get("user_team")) or _text(payload.get("team_id")))


def parse_click(body: Payload, action: Payload) -> Click | None:
    vote = FEEDBACK_ACTIONS.get(_text(action.get("action_id")))
    user = body.get("user") or {}
    channel = body.get("channel") or {}
    message = body.get("message") or {}
    if vote is None or not isinstance(user, Mapping) or not isinstance(channel, Mapping) \
            or not isinstance(message, Mapping):
        return None
    try:
        value = json.loads(_text(action.get("value")) or "{}")
    except json.JSONDecodeError:
        value = {}
    if not isinstance(value, dict):
        value = {}
    ids = value.get("ids")
    return Click(
        user=_text(user.get("id")), channel=_text(channel.get("id")),
        message_ts=_text(message.get("ts")), answer=_text(message.get("text")),
        vote=vote, question=_text(value.get("q")),
        cited=tuple(str(i) for i in ids) if isinstance(ids, list) else (),
        team=_text(user.get("team_id")),
    )


def readable_body(body: str, content_type: str) -> bool:
    """Whether an HTTP request's body is what Slack sends: JSON (events) or a form (slash
    commands, and interactions with a `payload` field of JSON)."""
    if content_type == "application/json":
        try:
            return isinstance(json.loads(body), dict)
        except json.JSONDecodeError:
            return False
    if content_type == "application/x-www-form-urlencoded":
        form = parse_qs(body)
        if "payload" in form:
            try:
                return isinstance(json.loads(form["payload"][0]), dict)
            except json.JSONDecodeError:
                return False
        return bool(form)
    return False


def question_text(text: str, bot_user_id: str) -> str:
    """A message as the person meant it: the bot's mention removed, markup resolved."""

    def resolve(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "" if target[1:] == bot_user_id else f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        return label or target

    resolved = _LINK.sub(resolve, text)
    resolved = resolved.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(resolved.split())
