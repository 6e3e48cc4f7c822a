"""Which events of a room the person asking could read themselves.

The bot reads a room with its own rights, which can be wider than the asker's: in a room
whose history visibility is "joined", a member who joined later cannot read what was said
before they came ("Event not found"), but the bot, there from the start, can. Whatever the
bot quotes, checks or reads into a prompt on someone's behalf passes through here first,
judged per event as the homeserver judges it for a client: by the room's history
visibility at that event and the asker's membership at that event (the room's state at
the event, as /context gives it), never by the bot's own. Anything the judge cannot
establish (an error, an event of another room, a visibility value it does not know) is
treated as unreadable.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from nio import AsyncClient
from nio.api import Api

log = logging.getLogger(__name__)

HISTORY_VISIBILITY = "m.room.history_visibility"
MEMBER = "m.room.member"
# The spec's default when a room never set its history visibility.
DEFAULT_VISIBILITY = "shared"
# Only the two kinds of state the judgement needs; the events around are not wanted.
_STATE_ONLY = json.dumps({"types": [HISTORY_VISIBILITY, MEMBER]})
# Requests in flight at once for one judgement (a thread is read as at most ~22 events).
MAX_AT_ONCE = 8
REQUEST_SECONDS = 20.0


def may_read(visibility: str, membership: str | None) -> bool:
    """The spec's rule for a member who is in the room now (the asker has just spoken in
    it): their membership at the event and the history visibility then."""
    if membership == "join":
        return True
    if visibility in {"world_readable", "shared"}:
        return True
    if visibility == "invited":
        return membership == "invite"
    return False  # "joined", or a value this bot does not know: the strictest reading


def judged(room_id: str, asker: str, context: Mapping[str, Any]) -> bool:
    """Whether a /context answer shows the event readable to the asker."""
    event = context.get("event")
    if not isinstance(event, Mapping) or event.get("room_id") != room_id:
        return False
    visibility, membership = DEFAULT_VISIBILITY, None
    state = context.get("state")
    for entry in state if isinstance(state, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("content"), Mapping):
            continue
        content = entry["content"]
        if entry.get("type") == HISTORY_VISIBILITY and entry.get("state_key") == "":
            value = content.get("history_visibility")
            visibility = value if isinstance(value, str) else ""
        elif entry.get("type") == MEMBER and entry.get("state_key") == asker:
            value = content.get("membership")
            membership = value if isinstance(value, str) else None
    return may_read(visibility, membership)


async def _readable(client: AsyncClient, room_id: str, asker: str, event_id: str) -> bool:
    path = Api._build_path(["rooms", room_id, "context", event_id],
                           {"limit": 0, "filter": _STATE_ONLY})
    try:
        response = await client.send(
            "GET", path, headers={"Authorization": f"Bearer {client.access_token}"},
            timeout=REQUEST_SECONDS)
        async with response:
            body = await response.json(content_type=None)
            status = response.status
    except Exception:
        log.warning("cannot tell whether %s may read %s in %s", asker, event_id, room_id,
                    exc_info=True)
        return False
    if status != 200 or not isinstance(body, Mapping):
        log.info("cannot tell whether %s may read %s in %s: HTTP %s", asker, event_id,
                 room_id, status)
        return False
    return judged(room_id, asker, body)


async def readable_by(client: AsyncClient, room_id: str, asker: str,
                      event_ids: Iterable[str]) -> frozenset[str]:
    """Those of the events the asker could read in the room themselves."""
    wanted = list(dict.fromkeys(e for e in event_ids if e))
    if not wanted:
        return frozenset()
    gate = asyncio.Semaphore(MAX_AT_ONCE)

    async def judge(event_id: str) -> str:
        async with gate:
            return event_id if await _readable(client, room_id, asker, event_id) else ""

    verdicts = await asyncio.gather(*(judge(event_id) for event_id in wanted))
    refused = len(wanted) - sum(1 for v in verdicts if v)
    if refused:
        log.info("%d of %d events in %s are not readable by %s: left out", refused,
                 len(wanted), room_id, asker)
    return frozenset(v for v in verdicts if v)
