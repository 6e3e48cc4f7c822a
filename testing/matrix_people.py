"""People on Matrix for the tests: real matrix-nio clients, encryption included.

Each person syncs in the background on a shared event loop thread and keeps what arrives,
so a test can send as a person and wait for the bot's notices.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from nio import (
    Api,
    AsyncClient,
    AsyncClientConfig,
    JoinResponse,
    LoginResponse,
    RoomCreateResponse,
    RoomGetEventResponse,
    RoomInviteResponse,
    RoomRedactResponse,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
)

from bot.adapters.matrix.adapter import maintain_keys
from testing.slack_server import wait_until

T = TypeVar("T")


class EventLoop:
    """An asyncio loop on its own thread; `run` waits for a coroutine's result."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="people",
                                        daemon=True)
        self._thread.start()

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@dataclass(frozen=True)
class Seen:
    room_id: str
    sender: str
    event_id: str
    content: dict[str, Any]
    encrypted: bool
    at: float = field(default_factory=time.monotonic)  # when this person's client got it


class Person:
    def __init__(self, loop: EventLoop, homeserver: str, user_id: str, password: str,
                 store: Path) -> None:
        self.loop = loop
        self.user_id = user_id
        store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(homeserver, user_id, store_path=str(store),
                                  config=AsyncClientConfig(encryption_enabled=True,
                                                           store_sync_tokens=False,
                                                           max_timeouts=None))
        self.seen: list[Seen] = []
        self.typing: list[tuple[str, list[str]]] = []
        self._running = True
        response = loop.run(self.client.login(password, device_name="test"))
        assert isinstance(response, LoginResponse), response
        loop.run(self._first_sync())
        self._task = asyncio.run_coroutine_threadsafe(self._sync_forever(), loop.loop)

    async def _first_sync(self) -> None:
        await self.client.keys_upload()
        response = await self.client.sync(timeout=0, full_state=True)
        assert isinstance(response, SyncResponse), response

    async def _sync_forever(self) -> None:
        while self._running:
            try:
                response = await self.client.sync(timeout=500)
            except Exception:  # the homeserver restarting: try again
                await asyncio.sleep(0.2)
                continue
            if not isinstance(response, SyncResponse):
                await asyncio.sleep(0.2)
                continue
            try:
                await maintain_keys(self.client)
            except Exception:  # nio's store, racing a send's key sharing: as the bot does,
                await asyncio.sleep(0.2)  # go on; the next sync retries
            for room_id, info in response.rooms.join.items():
                for event in info.timeline.events:
                    encrypted = bool(getattr(event, "decrypted", False)) or \
                        type(event).__name__ == "MegolmEvent"
                    self.seen.append(Seen(room_id, event.sender, event.event_id,
                                          _clear_content(event), encrypted))
                for ephemeral in info.ephemeral:
                    if type(ephemeral).__name__ == "TypingNoticeEvent":
                        self.typing.append((room_id, list(ephemeral.users)))

    def stop(self) -> None:
        self._running = False
        self._task.result(30)
        self.loop.run(self.client.close())

    # -- what a person does ---------------------------------------------------------

    def create_room(self, invite: list[str], direct: bool = False,
                    encrypted: bool = False, visibility: str = "") -> str:
        """A room; `visibility` sets its history visibility ("joined", "invited", ...)."""
        state = [{"type": "m.room.encryption", "state_key": "",
                  "content": {"algorithm": "m.megolm.v1.aes-sha2"}}] if encrypted else []
        if visibility:
            state.append({"type": "m.room.history_visibility", "state_key": "",
                          "content": {"history_visibility": visibility}})
        response = self.loop.run(self.client.room_create(
            invite=invite, is_direct=direct, initial_state=state,
            preset=None))
        assert isinstance(response, RoomCreateResponse), response
        return str(response.room_id)

    def invite(self, room_id: str, user_id: str) -> None:
        response = self.loop.run(self.client.room_invite(room_id, user_id))
        assert isinstance(response, RoomInviteResponse), response

    def join(self, room_id: str) -> None:
        response = self.loop.run(self.client.join(room_id))
        assert isinstance(response, JoinResponse), response

    def redact(self, room_id: str, event_id: str) -> None:
        response = self.loop.run(self.client.room_redact(room_id, event_id))
        assert isinstance(response, RoomRedactResponse), response

    def can_read(self, room_id: str, event_id: str) -> bool:
        """Whether the homeserver lets this person read the event themselves."""
        response = self.loop.run(self.client.room_get_event(room_id, event_id))
        return isinstance(response, RoomGetEventResponse)

    def wait_member(self, room_id: str, user_id: str) -> None:
        """Until the user has joined and (encrypted rooms) its devices are known."""
        def ready() -> bool:
            room = self.client.rooms.get(room_id)
            # nio counts invited users among the room's users: joined means not invited.
            if room is None or user_id not in room.users or user_id in room.invited_users:
                return False
            return not room.encrypted or \
                bool(list(self.client.device_store.active_user_devices(user_id)))
        wait_until(ready, timeout=60, what=f"{user_id} in {room_id}")

    def send(self, room_id: str, text: str, mention: str = "", thread_root: str = "",
             msgtype: str = "m.text", reply_to: str = "") -> str:
        """A message; in a thread (as clients send it: the in-reply-to only a fallback)
        or as a reply to an event."""
        content: dict[str, Any] = {"msgtype": msgtype, "body": text}
        if mention:
            content["m.mentions"] = {"user_ids": [mention]}
        if thread_root:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread_root,
                                       "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread_root}}
        elif reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        response = self.loop.run(self.client.room_send(room_id, "m.room.message", content,
                                                       ignore_unverified_devices=True))
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)

    def send_file(self, room_id: str, name: str, data: bytes,
                  mimetype: str = "application/pdf", thread_root: str = "") -> str:
        """A file as clients send it: uploaded, then an m.file event of its own; in an
        encrypted room the upload is encrypted and the event carries its keys."""
        encrypted = room_id in self.client.encrypted_rooms
        uploaded, keys = self.loop.run(self.client.upload(
            lambda *_: io.BytesIO(data), content_type=mimetype, filename=name,
            encrypt=encrypted, filesize=len(data)))
        assert isinstance(uploaded, UploadResponse), uploaded
        content: dict[str, Any] = {"msgtype": "m.file", "body": name,
                                   "info": {"size": len(data), "mimetype": mimetype}}
        if keys:
            content["file"] = {**keys, "url": uploaded.content_uri}
        else:
            content["url"] = uploaded.content_uri
        if thread_root:
            content["m.relates_to"] = {"rel_type": "m.thread", "event_id": thread_root,
                                       "is_falling_back": True,
                                       "m.in_reply_to": {"event_id": thread_root}}
        response = self.loop.run(self.client.room_send(room_id, "m.room.message", content,
                                                       ignore_unverified_devices=True))
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)

    def react(self, room_id: str, event_id: str, key: str, encrypted: bool = False) -> str:
        """A reaction (an m.annotation with `key`, such as "👍") on an event. nio sends
        reactions in clear even in encrypted rooms; `encrypted` sends it as clients that
        encrypt reactions do (the relation in clear beside the ciphertext), once this
        person's own message has shared the room key."""
        content: dict[str, Any] = {"m.relates_to": {"rel_type": "m.annotation",
                                                    "event_id": event_id, "key": key}}
        if not encrypted:
            response = self.loop.run(self.client.room_send(room_id, "m.reaction", content,
                                                           ignore_unverified_devices=True))
            assert isinstance(response, RoomSendResponse), response
            return str(response.event_id)

        async def send() -> dict[str, Any]:  # on the loop, where the client syncs
            # As room_send prepares an encrypted message: members known, the room key
            # shared again if it was dropped (a device list that changed drops it).
            if not self.client.rooms[room_id].members_synced:
                await self.client.joined_members(room_id)
            assert self.client.olm is not None
            if self.client.olm.should_share_group_session(room_id):
                await self.client.share_group_session(room_id,
                                                      ignore_unverified_devices=True)
            kind, sealed = self.client.encrypt(room_id, "m.reaction", content)
            method, path, data = Api.room_send(self.client.access_token, room_id, kind,
                                               sealed, uuid.uuid4())
            reply = await self.client.send(method, path, data)
            body: dict[str, Any] = await reply.json()
            return body
        body = self.loop.run(send())
        assert "event_id" in body, body
        return str(body["event_id"])

    # -- what a person sees ---------------------------------------------------------

    def notices(self, room_id: str, sender: str) -> list[Seen]:
        return [s for s in list(self.seen) if s.room_id == room_id and s.sender == sender
                and s.content.get("msgtype") == "m.notice"]

    def wait_notices(self, room_id: str, sender: str, count: int = 1,
                     timeout: float = 60.0) -> list[Seen]:
        wait_until(lambda: len(self.notices(room_id, sender)) >= count, timeout=timeout,
                   what=f"{count} notice(s) from {sender}")
        return self.notices(room_id, sender)


def _clear_content(event: Any) -> dict[str, Any]:
    """The content as the person reads it: decrypted events carry it in their source."""
    if type(event).__name__ == "MegolmEvent":  # could not be decrypted
        return {"msgtype": "undecryptable"}
    content = event.source.get("content", {})
    return dict(content) if isinstance(content, dict) else {}
