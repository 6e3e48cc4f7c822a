"""Matrix: mentions in rooms (answered in threads), direct chats, encrypted rooms.

Only translation happens here: a room message becomes a request to the bot, its Reply
becomes an m.notice with HTML. The sync token, the device's login and its encryption keys
live under the data dir, so a restart picks up where the bot left off: it answers what it
missed (up to an age limit) and nothing twice; on its very first start it answers nothing
of the backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    JoinError,
    LoginResponse,
    MegolmEvent,
    ReactionEvent,
    RedactionEvent,
    RoomGetStateEventError,
    RoomGetStateEventResponse,
    RoomMemberEvent,
    RoomMessageText,
    RoomSendError,
    SyncError,
    SyncResponse,
    WhoamiResponse,
)

from bot import errors
from bot.adapters.matrix.access import Access, server_of
from bot.adapters.matrix.crypto_store import mend
from bot.adapters.matrix.events import Event, RoomMessage, parse_message
from bot.adapters.matrix.files import DOWNLOAD_SECONDS, download, file_for
from bot.adapters.matrix.format import (
    Content,
    answer_content,
    check_content,
    comparison_content,
    notice_content,
)
from bot.adapters.matrix.reactions import SentAnswers, parse_reaction, record
from bot.adapters.matrix.session import MatrixState, Session
from bot.adapters.matrix.threads import context_of
from bot.adapters.matrix.visibility import readable_by
from bot.serving.commands import REFRESH_STARTED, Attachment, Formats, Request
from bot.serving.feedback import FeedbackLog
from bot.serving.logs import STATUS
from bot.serving.platform import Bot
from bot.serving.workers import Limits, Workers, teller
from knowledge import write_json_atomically

log = logging.getLogger(__name__)
status = logging.getLogger(STATUS)

PLATFORM = "matrix"
MATRIX = Formats(answer_content, comparison_content, check_content, notice_content)
SYNC_TIMEOUT_MS = 10_000
MAX_BACKOFF_SECONDS = 30.0


@dataclass(frozen=True)
class MatrixConfig:
    homeserver: str
    user_id: str
    state_dir: Path
    password: str = ""
    access_token: str = ""
    device_name: str = "policybot"
    allowed_servers: tuple[str, ...] = ()  # empty: the bot's own server; "*": every server
    allowed_users: tuple[str, ...] = ()  # set: only these (and the admins), any server
    catch_up_seconds: float = 3 * 3600


class MatrixAdapter:
    name = PLATFORM

    def __init__(self, bot: Bot, config: MatrixConfig, limits: Limits | None = None,
                 feedback: FeedbackLog | None = None) -> None:
        self.bot = bot
        self.config = config
        self.feedback = feedback  # 👍/👎 on answers are recorded here (None: not at all)
        self.answers = SentAnswers()  # the answers sent, for the votes on them
        config.state_dir.mkdir(parents=True, exist_ok=True)
        store = config.state_dir / "store"
        store.mkdir(exist_ok=True)
        self.client = AsyncClient(
            config.homeserver, config.user_id, store_path=str(store),
            config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False,
                                     max_timeouts=3, request_timeout=SYNC_TIMEOUT_MS / 1000
                                     + 20),
        )
        self.workers = Workers(bot, PLATFORM, limits)
        self.access = Access(server_of(config.user_id), frozenset(config.allowed_servers),
                             frozenset(config.allowed_users))
        self.state = MatrixState.load(config.state_dir / "state.json")
        self.display_name = ""
        self._plain_rooms: set[str] = set()  # asked: not encrypted (see _know_encryption)
        self.events_handled = 0  # room messages looked at since start (tests wait on it)
        self.syncs = 0
        self.sync_failures = 0
        self.connected = False  # the last sync reached the homeserver

    @property
    def busy(self) -> int:
        return self.workers.busy

    async def healthy(self) -> bool:
        return self.connected

    # -- login ----------------------------------------------------------------------

    @property
    def _session_file(self) -> Path:
        return self.config.state_dir / "session.json"

    async def login(self) -> None:
        """Restore the saved device, or log in once and save it; failures are one line."""
        saved = Session.load(self._session_file, self.config.user_id)
        try:
            if saved is not None:
                self._restore(saved.user_id, saved.device_id, saved.access_token)
            elif self.config.access_token:
                self.client.access_token = self.config.access_token
                who = await self.client.whoami()
                if not isinstance(who, WhoamiResponse) or not who.device_id:
                    raise errors.PlatformError(
                        f"the Matrix access token was refused: {getattr(who, 'message', who)}")
                self._restore(who.user_id, who.device_id, self.config.access_token)
                self._save_session()
            else:
                response = await self.client.login(self.config.password,
                                                   device_name=self.config.device_name)
                if not isinstance(response, LoginResponse):
                    raise errors.PlatformError(
                        f"Matrix login failed for {self.config.user_id}: {response.message}")
                self._save_session()
            if self.client.should_upload_keys:
                await self.client.keys_upload()
            name = await self.client.get_displayname()
            self.display_name = str(getattr(name, "displayname", "") or "")
        except errors.PlatformError:
            raise
        except Exception as error:
            # The one line names the kind of failure; the log keeps where it happened.
            log.warning("Matrix login failed", exc_info=True)
            raise errors.PlatformError(
                f"cannot reach the Matrix homeserver at {self.config.homeserver}: "
                f"{type(error).__name__}") from None
        status.info("Matrix: connected to %s as %s (device %s)", self.config.homeserver,
                    self.client.user_id, self.client.device_id)

    def _restore(self, user_id: str, device_id: str, access_token: str) -> None:
        """Resume the saved device with its encryption store, mended once if nio cannot
        load it (see crypto_store); a store that stays unreadable is reported plainly."""
        try:
            self.client.restore_login(user_id, device_id, access_token)
            return
        except Exception as error:
            log.warning("cannot load the Matrix encryption store; trying to mend it",
                        exc_info=True)
            failure = error
        self._drop_store()
        try:
            users = mend(Path(self.client.store_path) / f"{user_id}_{device_id}.db")
            if not users:
                raise failure
            self.client.restore_login(user_id, device_id, access_token)
        except Exception as error:
            self._drop_store()
            raise errors.PlatformError(
                f"cannot load the Matrix encryption store in {self.client.store_path} "
                f"({type(error).__name__}); to start over as a new device, move it and "
                f"{self._session_file.name} aside") from error
        assert self.client.olm is not None
        self.client.olm.users_for_key_query.update(users)  # their keys, asked for again

    def _drop_store(self) -> None:
        """Forget a half-loaded store, so that load_store opens it afresh."""
        store = self.client.store
        if store is not None:
            store.database.close()
        self.client.store = None
        self.client.olm = None

    def _save_session(self) -> None:
        Session(self.client.user_id, self.client.device_id or "",
                self.client.access_token).save(self._session_file)

    # -- the sync loop --------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await self.login()
            if self.access.open_to_all:
                log.warning("POLICYBOT_MATRIX_ALLOWED_SERVERS=*: anyone on any Matrix server "
                            "may invite the bot and read what the sources say")
            else:
                log.info("Matrix: answering %s", self.access.describe())
            first_start = not self.state.next_batch
            backoff = 1.0
            while not stop.is_set():
                response = await self._sync(stop)
                if response is None:
                    break  # stopping
                self.connected = isinstance(response, SyncResponse)
                if not isinstance(response, SyncResponse):
                    self.sync_failures += 1
                    log.warning("Matrix sync failed (%s); retrying in %.0f s", response, backoff)
                    await _sleep(stop, backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                    continue
                if backoff > 1:
                    log.warning("Matrix homeserver reachable again")
                backoff = 1.0
                await self._keys()
                await self._invites(response)
                if not first_start:  # the first sync is backlog: never answered
                    self._messages(response)
                first_start = False
                self.state.next_batch = response.next_batch
                await self._save_state()
                self.syncs += 1
        finally:
            await self.workers.drain()
            await self._save_state()
            await self.client.close()

    async def _sync(self, stop: asyncio.Event) -> SyncResponse | SyncError | str | None:
        """One sync, or None when asked to stop; failures come back, never raise."""
        sync = asyncio.ensure_future(self.client.sync(
            timeout=SYNC_TIMEOUT_MS, since=self.state.next_batch or None,
            full_state=not self.state.next_batch or None))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({sync, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not sync.done():
            sync.cancel()
            return None
        try:
            response = sync.result()
        except Exception as error:  # the homeserver is away: connection refused, timeouts
            return f"{type(error).__name__}: {error}".splitlines()[0]
        return response if isinstance(response, SyncResponse | SyncError) else str(response)

    async def _keys(self) -> None:
        try:
            await maintain_keys(self.client)
        except Exception:
            log.warning("Matrix key maintenance failed; retried at the next sync",
                        exc_info=True)

    async def _save_state(self) -> None:
        # Written (with fsync) off the event loop: measured, the fsync after every sync
        # held the loop ~60 ms and delayed answers by as much. The snapshot is taken here,
        # so the loop may go on changing the state meanwhile.
        snapshot = self.state.snapshot()
        try:
            await asyncio.to_thread(write_json_atomically, self.state.path, snapshot)
        except OSError:
            log.exception("cannot save the Matrix state to %s", self.state.path)

    # -- invites --------------------------------------------------------------------

    async def _invites(self, response: SyncResponse) -> None:
        for room_id, info in response.rooms.invite.items():
            invite = next((e for e in info.invite_state if isinstance(e, InviteMemberEvent)
                           and e.state_key == self.client.user_id), None)
            inviter = invite.sender if invite is not None else ""
            if not self._allowed(inviter):
                log.warning("declined an invite to %s from %s (not allowed: the bot serves "
                            "%s)", room_id, inviter, self.access.describe())
                await self.client.room_leave(room_id)
                continue
            joined = await self.client.join(room_id)
            if isinstance(joined, JoinError):
                log.warning("could not join %s: %s", room_id, joined.message)
                continue
            if invite is not None and invite.content.get("is_direct"):
                self.state.direct_rooms.add(room_id)
            log.info("joined %s (invited by %s)", room_id, inviter)

    # -- messages -------------------------------------------------------------------

    def _allowed(self, user_id: str) -> bool:
        return self.bot.is_admin(user_id, PLATFORM) or self.access.allows(user_id)

    def _messages(self, response: SyncResponse) -> None:
        # Joins first: a room joined at this sync arrives with its history, and the bot's
        # own join event comes after the messages it must not answer.
        for room_id, info in response.rooms.join.items():
            for event in info.timeline.events:
                if isinstance(event, RoomMemberEvent) and event.state_key == \
                        self.client.user_id and event.membership == "join":
                    # The server's clock, like the messages': what came before is history.
                    self.state.joined_at.setdefault(room_id, event.server_timestamp)
        for room_id, info in response.rooms.join.items():
            room = self.client.rooms.get(room_id)
            for event in info.timeline.events:
                if isinstance(event, MegolmEvent):
                    log.warning("cannot decrypt %s in %s (no room key)", event.event_id,
                                room_id)
                elif isinstance(event, RedactionEvent):
                    self.bot.forget(event.redacts)  # a deleted question is not recalled
                elif isinstance(event, ReactionEvent):  # also when it came encrypted
                    self._vote(room_id, event.source)
                elif isinstance(event, RoomMessageText) and room is not None:
                    message = parse_message(room_id, event.source)
                    if message is None:
                        log.info("ignored a malformed message in %s", room_id)
                    else:
                        self._consider(message)

    def _vote(self, room_id: str, event: Event) -> None:
        """A 👍/👎 on one of the bot's answers, from someone it serves, is feedback."""
        reaction = parse_reaction(event)
        if reaction is None or self.feedback is None or \
                reaction.sender == self.client.user_id:
            return
        if not self._allowed(reaction.sender):
            log.info("not recording a vote in %s: %s is not allowed", room_id, reaction.sender)
            return
        feedback = self.answers.feedback(room_id, reaction)
        if feedback is not None:
            self.workers.start(record(self.feedback, feedback))

    def _consider(self, message: RoomMessage) -> None:
        self.events_handled += 1
        room_id, event_id = message.room_id, message.event_id
        log.debug("message %s from %s in %s", event_id, message.sender, room_id)
        if message.sender == self.client.user_id or message.msgtype != "m.text":
            return  # itself, or a notice: bots talk in notices and never to each other
        if message.is_edit:
            return  # an edit of an earlier message
        if not self._allowed(message.sender):
            log.info("not answering %s in %s: %s is not allowed", event_id, room_id,
                     message.sender)
            return
        if message.timestamp_ms < self.state.joined_at.get(room_id, 0):
            log.debug("%s in %s is from before the bot joined", event_id, room_id)
            return  # the room's history from before the bot was there
        age = time.time() - message.timestamp_ms / 1000
        if age > self.config.catch_up_seconds:
            log.info("not answering %s in %s: %.0f min old", event_id, room_id, age / 60)
            return
        root = message.thread_root
        direct = room_id in self.state.direct_rooms
        followed = bool(root) and f"{room_id} {root}" in self.state.threads
        me = self.client.user_id or ""
        if not (direct or followed or message.addresses(me, self.display_name)):
            log.debug("%s in %s is not for the bot", event_id, room_id)
            return
        if not self.state.answered.first(event_id):
            return
        # Group rooms: answer in the question's thread. Direct chats: plainly, unless the
        # question is itself in a thread.
        root = root or (None if direct else event_id)
        request = Request.of(message.question(me, self.display_name), message.sender,
                             PLATFORM, f"matrix:{room_id}:{root or '-'}", event=event_id,
                             place=room_id, direct=self._just_us(room_id, direct))
        # Nothing is spent on a message the bot will not take on now (no thread read).
        turned_away = self.workers.turned_away(request)
        if turned_away is not None:
            if not turned_away.silent:
                self.workers.start(self._send(room_id, MATRIX.render(turned_away), root,
                                              event_id))
            return
        self.workers.start(self._answer(message, root, request))

    async def _answer(self, message: RoomMessage, root: str | None, request: Request) -> None:
        room_id, event_id = message.room_id, message.event_id
        # The typing notice is a sign of life, not a step: it must not delay the answer.
        typing = asyncio.ensure_future(self._typing(room_id, True))
        try:
            if message.thread_root or message.reply_to:
                # Called into a thread, or after a restart: the thread tells what was said.
                context, quoted = await context_of(self.client, message, self.display_name,
                                                   self._allowed)
                request = replace(request, context=context, quoted=quoted)
                log.debug("read %d messages of the thread of %s", len(context), event_id)
            request = replace(request, seen=await self._remembered_seen(room_id, request))
            if request.command.name == "add" and self.bot.is_admin(message.sender, PLATFORM):
                request = replace(request, attachment=await self._attachment(message),
                                  tell=teller(lambda text: self._send(
                                      room_id, notice_content(text), root, event_id)))
            if self.workers.starts_a_refresh(request):
                await self._send(room_id, notice_content(REFRESH_STARTED), root, event_id)
            reply = await self.workers.handle(request)
            if reply.silent:
                return  # told once that the bot is busy with their earlier requests
            sent = await self._post(room_id, MATRIX.render(reply), root, event_id)
            self.answers.remember(room_id, sent, reply.answer)  # for the votes on it
            if root:
                self.state.threads.add(f"{room_id} {root}")
        except Exception:
            log.exception("answering a Matrix message in %s failed", room_id)
            self.bot.report_error("platform")
            try:
                await self._send(room_id, notice_content(errors.ANSWER_FAILED), root, event_id)
            except Exception:
                log.exception("could not even apologise in %s", room_id)
        finally:
            await typing
            await self._typing(room_id, False)

    async def _attachment(self, message: RoomMessage) -> Attachment | None:
        """The file an admin's `add` means (see files.file_for), downloaded only when the
        bot takes it, on this loop, from the answering thread."""
        file = await file_for(self.client, message)
        if file is None:
            return None
        loop = asyncio.get_running_loop()

        def fetch(limit: int) -> bytes:
            return asyncio.run_coroutine_threadsafe(
                download(self.client, file, limit), loop).result(DOWNLOAD_SECONDS + 10)
        return Attachment(file.name, file.size, fetch, file.mimetype)

    def _just_us(self, room_id: str, direct: bool) -> bool:
        """Whether a direct chat still holds only the bot and one person: its scopes are
        then that person's (POLICYBOT_SCOPES). A chat invited as direct that others
        joined since is a room: its scopes are the room's."""
        room = self.client.rooms.get(room_id)
        return direct and room is not None and room.joined_count <= 2

    def owns(self, place: str) -> bool:
        """Matrix room ids (!…): a digest's place (see serving/schedule)."""
        return place.startswith("!")

    async def announce(self, place: str, text: str) -> None:
        await self._send(place, notice_content(text), None, "")

    async def _remembered_seen(self, room_id: str, request: Request) -> frozenset[str]:
        """Which of the bot's remembered turns of the thread the asker could read: its
        memory is the fallback when the thread read back gives nothing, and the asker may
        have joined after those turns."""
        marks = () if request.context else self.bot.remembered(request.thread)
        return await readable_by(self.client, room_id, request.user, marks)

    async def _typing(self, room_id: str, on: bool) -> None:
        try:
            await self.client.room_typing(room_id, on, timeout=30_000)
        except Exception:
            log.info("typing notice failed in %s", room_id, exc_info=True)

    async def _send(self, room_id: str, content: Content, root: str | None,
                    reply_to: str) -> None:
        await self._post(room_id, content, root, reply_to)

    async def _post(self, room_id: str, content: Content, root: str | None,
                    reply_to: str) -> str:
        """Send the content (in the thread of `root`); the id of the event sent."""
        if root:
            content = {**content, "m.relates_to": {
                "rel_type": "m.thread", "event_id": root, "is_falling_back": True,
                "m.in_reply_to": {"event_id": reply_to}}}
        await self._know_encryption(room_id)
        response = await self.client.room_send(room_id, "m.room.message", content,
                                               ignore_unverified_devices=True)
        if isinstance(response, RoomSendError):
            raise RuntimeError(f"room_send failed: {response.message}")
        return str(response.event_id)

    async def _know_encryption(self, room_id: str) -> None:
        """Make sure the client knows whether a room is encrypted before sending into it.

        nio encrypts only rooms whose encryption state it has seen; once, after a restart,
        an answer went out in plain text into an encrypted room. A room the client does not
        know as encrypted is asked about once; if that fails, nothing is sent.
        """
        if room_id in self.client.encrypted_rooms or room_id in self._plain_rooms:
            return
        response = await self.client.room_get_state_event(room_id, "m.room.encryption")
        if isinstance(response, RoomGetStateEventResponse):
            log.info("%s is encrypted; the client had not seen its state yet", room_id)
            self.client.encrypted_rooms.add(room_id)
            room = self.client.rooms.get(room_id)
            if room is not None:
                room.encrypted = True
        elif isinstance(response, RoomGetStateEventError) and \
                response.status_code == "M_NOT_FOUND":
            self._plain_rooms.add(room_id)
        else:
            raise RuntimeError(f"cannot tell whether {room_id} is encrypted: {response}")


async def maintain_keys(client: AsyncClient) -> None:
    """Encryption housekeeping after a sync, as sync_forever does: upload, query, claim."""
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())




async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    """Sleep, but wake up at once when asked to stop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
