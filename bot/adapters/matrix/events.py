"""Matrix room messages as typed messages. The adapter only decides what to do with them;
nothing else in it reads event dicts. An event missing what a message needs parses to
None."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Event = Mapping[str, Any]


@dataclass(frozen=True)
class RoomMessage:
    room_id: str
    event_id: str
    sender: str
    timestamp_ms: int  # the homeserver's clock
    msgtype: str  # m.text from people; bots talk in m.notice
    body: str  # without a reply's quoted fallback lines
    formatted_body: str
    mentioned: tuple[str, ...]  # m.mentions user ids
    thread_root: str | None  # the thread it was posted in
    reply_to: str | None  # the event it replies to
    is_edit: bool  # an m.replace of an earlier message

    def addresses(self, user_id: str, display_name: str) -> bool:
        """Whether it addresses the bot: m.mentions, a pill, its id or its name."""
        if user_id in self.mentioned:
            return True
        if f"matrix.to/#/{user_id}" in self.formatted_body or \
                f"matrix.to/#/{user_id.replace('@', '%40').replace(':', '%3A')}" \
                in self.formatted_body:
            return True
        names = [user_id] + ([display_name] if display_name else [])
        return any(re.search(rf"(?<![\w@]){re.escape(name)}(?!\w)", self.body, re.IGNORECASE)
                   for name in names)

    def question(self, user_id: str, display_name: str) -> str:
        """What was asked: the bot's name, id or pill text taken out."""
        return without_names(self.body, (user_id, display_name))


def without_names(body: str, names: tuple[str, ...]) -> str:
    """The text with the bot's names (id, display name) taken out, white space folded."""
    for name in filter(None, names):
        body = re.sub(rf"(?<![\w@]){re.escape(name)}(?!\w)\s*[:,]?", " ", body,
                      flags=re.IGNORECASE)
    return " ".join(body.split())


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def without_reply_fallback(body: str) -> str:
    """The body without the quoted lines of the message it replies to."""
    lines = body.splitlines()
    if lines and lines[0].startswith("> <"):
        while lines and lines[0].startswith(">"):
            lines.pop(0)
    return "\n".join(lines).strip()


def parse_message(room_id: str, event: Event) -> RoomMessage | None:
    content = event.get("content")
    event_id, sender = _text(event.get("event_id")), _text(event.get("sender"))
    if not isinstance(content, Mapping) or not event_id or not sender:
        return None
    relation = content.get("m.relates_to")
    relation = relation if isinstance(relation, Mapping) else {}
    in_reply = relation.get("m.in_reply_to")
    mentions = content.get("m.mentions")
    user_ids = mentions.get("user_ids") if isinstance(mentions, Mapping) else None
    timestamp = event.get("origin_server_ts")
    return RoomMessage(
        room_id=room_id, event_id=event_id, sender=sender,
        timestamp_ms=timestamp if isinstance(timestamp, int) else 0,
        msgtype=_text(content.get("msgtype")),
        body=without_reply_fallback(_text(content.get("body"))),
        formatted_body=_text(content.get("formatted_body")),
        mentioned=tuple(u for u in user_ids if isinstance(u, str))
        if isinstance(user_ids, list) else (),
        thread_root=_text(relation.get("event_id")) or None
        if relation.get("rel_type") == "m.thread" else None,
        # In a thread, a client's m.in_reply_to may only be the fallback for clients
        # without threads (is_falling_back): then the message replies to nothing.
        reply_to=_text(in_reply.get("event_id")) or None
        if isinstance(in_reply, Mapping) and not relation.get("is_falling_back") else None,
        is_edit=relation.get("rel_type") == "m.replace",
    )
