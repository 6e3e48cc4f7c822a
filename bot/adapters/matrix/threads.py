"""A Matrix thread read back from the homeserver: when the bot is called into a thread
late, after a restart, or asked to `check` the message replied to.

Bounded: the thread's root and its last MAX_THREAD_MESSAGES messages, one request each
way. In encrypted rooms only what the bot can decrypt is read; the rest is skipped. Only
what the asker could read themselves is kept (see visibility); a deleted (redacted)
message is never used."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from nio import (
    AsyncClient,
    Event,
    MegolmEvent,
    RoomGetEventResponse,
    RoomMessageNotice,
    RoomMessageText,
)
from nio.api import MessageDirection, RelationshipType

from bot.adapters.matrix.events import RoomMessage, without_names, without_reply_fallback
from bot.adapters.matrix.visibility import readable_by
from bot.answering.memory import MAX_THREAD_MESSAGES, ThreadMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Said:
    """A readable message of the room."""

    event_id: str
    sender: str
    text: str


def readable(client: AsyncClient, event: Event) -> Said | None:
    """The event as a message, decrypted if it can be; None for anything else (a redacted
    message parses as a RedactedEvent, so it is nothing here)."""
    if isinstance(event, MegolmEvent):
        try:
            event = client.decrypt_event(event)
        except Exception:  # no room key: from before the bot was there
            log.debug("cannot decrypt %s in a thread", event.event_id)
            return None
    if not isinstance(event, RoomMessageText | RoomMessageNotice):
        return None
    return Said(event.event_id, event.sender, without_reply_fallback(event.body))


async def fetch_event(client: AsyncClient, room_id: str, event_id: str) -> Event | None:
    """One event of the room as the homeserver gives it to the bot; None when it will
    not."""
    try:
        response = await client.room_get_event(room_id, event_id)
    except Exception:
        log.warning("cannot read %s in %s", event_id, room_id, exc_info=True)
        return None
    if not isinstance(response, RoomGetEventResponse):
        log.info("cannot read %s in %s: %s", event_id, room_id, response)
        return None
    return response.event


async def read_event(client: AsyncClient, room_id: str, event_id: str) -> Said | None:
    event = await fetch_event(client, room_id, event_id)
    return readable(client, event) if event is not None else None


async def read_thread(client: AsyncClient, room_id: str, root: str,
                      before: str) -> list[Said]:
    """The thread's root, then its last messages before `before`, oldest first."""
    newest_first: list[Said] = []
    try:
        async for event in client.room_get_event_relations(
                room_id, root, RelationshipType.thread, direction=MessageDirection.back,
                limit=MAX_THREAD_MESSAGES + 1):
            said = readable(client, event)
            if said is not None and said.event_id != before:
                newest_first.append(said)
            if len(newest_first) >= MAX_THREAD_MESSAGES:
                break
    except Exception:  # an error response ends nio's iterator with an AttributeError
        log.warning("cannot read the thread %s in %s", root, room_id, exc_info=True)
    first = await read_event(client, room_id, root)
    return ([first] if first is not None else []) + newest_first[::-1]


async def context_of(client: AsyncClient, message: RoomMessage, display_name: str,
                     serves: Callable[[str], bool],
                     ) -> tuple[tuple[ThreadMessage, ...], str]:
    """What was said before the message in its thread (or the message it replies to), and
    the text a bare `check` refers to: the message replied to, else the thread's root.
    Only what the message's sender could read themselves, and only by people the bot
    `serves` (or by the bot); people's messages lose the bot's name, as a question
    does."""
    me = client.user_id
    replied = await read_event(client, message.room_id, message.reply_to) \
        if message.reply_to else None
    if message.thread_root:
        thread = await read_thread(client, message.room_id, message.thread_root,
                                   message.event_id)
    else:
        thread = [replied] if replied is not None else []
    seen = await readable_by(client, message.room_id, message.sender,
                             [s.event_id for s in [*thread, *([replied] if replied else [])]])
    thread = [s for s in thread if s.event_id in seen and (s.sender == me or serves(s.sender))]
    replied = replied if replied is not None and replied.event_id in seen and \
        (replied.sender == me or serves(replied.sender)) else None
    root = thread[0] if thread and thread[0].event_id == message.thread_root else None
    names = (me, display_name)
    context = tuple(ThreadMessage(s.text, True, me) if s.sender == me else
                    ThreadMessage(without_names(s.text, names), False, s.sender)
                    for s in thread)
    quoted = replied or root
    return context, without_names(quoted.text, names) \
        if quoted is not None and quoted.sender != me else ""
