"""A local stand-in for Slack: the Web API methods the bot uses and a Socket Mode websocket.

It listens on 127.0.0.1, records every call and every acknowledgement, and checks what
Slack checks (tokens, Block Kit limits), so a message it accepts is one Slack would accept.
Events are pushed the way Slack pushes them: an envelope over the websocket, or (HTTP
mode) a signed POST built by `signed_request`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"
APP = "A0001"
SECTION_LIMIT = 3000
BLOCK_LIMIT = 50

Payload = dict[str, Any]


@dataclass(frozen=True)
class ApiCall:
    method: str
    args: Payload
    token: str
    at: float


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: Payload
    at: float


@dataclass
class Delivery:
    envelope_id: str
    body: Payload
    sent_at: float = field(default_factory=time.monotonic)


def wait_until(condition: Callable[[], object], timeout: float = 30.0,
               what: str = "condition") -> Any:
    """Poll until `condition()` is truthy and return it; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def block_errors(blocks: list[Payload]) -> list[str]:
    """What Slack would reject in these blocks (it answers `invalid_blocks`)."""
    problems = []
    if len(blocks) > BLOCK_LIMIT:
        problems.append(f"{len(blocks)} blocks (limit {BLOCK_LIMIT})")
    for n, block in enumerate(blocks):
        text = block.get("text", {}).get("text", "") if block.get("type") == "section" else ""
        if len(text) > SECTION_LIMIT:
            problems.append(f"block {n}: section text of {len(text)} characters")
        if block.get("type") == "section" and not text.strip():
            problems.append(f"block {n}: empty section text")
        for element in block.get("elements", []):
            if len(str(element.get("value", ""))) > 2000:
                problems.append(f"block {n}: button value over 2000 characters")
    return problems


def signed_request(body: str, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack sends with an HTTP-mode request (v0 signature over ts:body)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest.hexdigest()}",
            "Content-Type": "application/json"}


class SlackStandIn:
    def __init__(self, bot_token: str = "xoxb-test", app_token: str = "xapp-test",
                 bots: frozenset[str] = frozenset()) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.bots = bots  # user ids that users.info reports as bots
        self.user_teams: dict[str, str] = {}  # users.info's workspace of a user (else TEAM)
        self.calls: list[ApiCall] = []
        self.acks: dict[str, Ack] = {}
        self.deliveries: dict[str, Delivery] = {}
        self.connections = 0
        self.messages: dict[str, list[Payload]] = {}  # channel -> messages, oldest first
        self.rate_limited: dict[str, tuple[int, int]] = {}  # method -> (times, seconds)
        self.failing: dict[str, tuple[int, str]] = {}  # method -> (times, Slack error code)
        self.files: dict[str, tuple[bytes, str]] = {}  # file id -> (bytes, content type)
        self.downloads: list[tuple[str, str]] = []  # (file id, token sent)
        self._sockets: list[web.WebSocketResponse] = []
        self._ids = itertools.count(1)
        self._clock = itertools.count(1)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> SlackStandIn:
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(self._start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="slack-stand-in", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    async def _start(self) -> None:
        application = web.Application()
        application.router.add_route("*", "/api/{method}", self._api)
        application.router.add_get("/socket", self._socket)
        application.router.add_get("/files-pri/{file}/download/{name}", self._file)
        self._runner = web.AppRunner(application)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        async def shutdown() -> None:
            for socket in list(self._sockets):
                await socket.close()
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    # -- Web API --------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            args: Payload = await request.json() if request.can_read_body else {}
        else:
            args = dict(await request.post())
        args.update(request.query)
        for name in ("blocks", "attachments"):
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            self.calls.append(ApiCall(method, args, token, time.monotonic()))
            limit = self.rate_limited.get(method)
            if limit and limit[0] > 0:
                self.rate_limited[method] = (limit[0] - 1, limit[1])
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": str(limit[1])})
            failure = self.failing.get(method)
            if failure and failure[0] > 0:
                self.failing[method] = (failure[0] - 1, failure[1])
                return web.json_response({"ok": False, "error": failure[1]})
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        return web.json_response(handler(args))

    async def _file(self, request: web.Request) -> web.Response:
        """A file's private download, as Slack serves it: to the bot token only; to
        anyone else its sign-in page, with status 200."""
        file = request.match_info["file"]
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            self.downloads.append((file, token))
        if token != self.bot_token or file not in self.files:
            return web.Response(text="<!DOCTYPE html><html><title>Sign in | Slack</title>",
                                content_type="text/html")
        data, content_type = self.files[file]
        return web.Response(body=data, content_type=content_type)

    def _auth_test(self, args: Payload) -> Payload:
        return {"ok": True, "url": "https://standin.slack.com/", "team": "Stand-in",
                "user": "policybot", "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID,
                "is_enterprise_install": False}

    def _apps_connections_open(self, args: Payload) -> Payload:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    def _post(self, args: Payload, ephemeral: bool) -> Payload:
        channel = str(args.get("channel", ""))
        text = str(args.get("text") or "")
        blocks = args.get("blocks") or []
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not text and not blocks:
            return {"ok": False, "error": "no_text"}
        if len(text) > 40_000:
            return {"ok": False, "error": "msg_too_long"}
        if block_errors(blocks):
            return {"ok": False, "error": "invalid_blocks", "errors": block_errors(blocks)}
        ts = self.next_ts()
        if ephemeral:
            return {"ok": True, "message_ts": ts}
        message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "text": text,
                   "blocks": blocks, "ts": ts}
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_postMessage(self, args: Payload) -> Payload:  # noqa: N802 (Slack's name)
        return self._post(args, ephemeral=False)

    def _chat_postEphemeral(self, args: Payload) -> Payload:  # noqa: N802
        if not args.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return self._post(args, ephemeral=True)

    def _chat_update(self, args: Payload) -> Payload:
        with self._lock:
            for message in self.messages.get(str(args.get("channel")), []):
                if message["ts"] == args.get("ts"):
                    message.update(text=args.get("text", ""), blocks=args.get("blocks", []))
                    return {"ok": True, "channel": args["channel"], "ts": message["ts"]}
        return {"ok": False, "error": "message_not_found"}

    def _reactions_add(self, args: Payload) -> Payload:
        return {"ok": True}

    def _conversations_replies(self, args: Payload) -> Payload:
        """As Slack pages it: the thread's first message, then its replies, oldest first;
        `limit` per page and an opaque `cursor` for the next."""
        thread = str(args.get("ts"))
        with self._lock:
            messages = [m for m in self.messages.get(str(args.get("channel")), [])
                        if m["ts"] == thread or m.get("thread_ts") == thread]
        if not messages:
            return {"ok": False, "error": "thread_not_found"}
        limit = int(args.get("limit") or 1000)
        start = int(str(args.get("cursor") or "offset_0").removeprefix("offset_"))
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        return {"ok": True, "messages": page, "has_more": more,
                "response_metadata": {"next_cursor": f"offset_{start + limit}" if more
                                      else ""}}

    def _users_info(self, args: Payload) -> Payload:
        user = str(args.get("user"))
        return {"ok": True, "user": {"id": user, "name": user.lower(), "is_bot": user in
                                     self.bots or user == BOT_USER,
                                     "team_id": self.user_teams.get(user, TEAM)}}

    # -- Socket Mode ----------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        with self._lock:
            self._sockets.append(socket)
            self.connections += 1
        await socket.send_json({"type": "hello", "num_connections": len(self._sockets),
                                "connection_info": {"app_id": APP}})
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                reply = json.loads(frame.data)
                if "envelope_id" in reply:
                    with self._lock:
                        self.acks[reply["envelope_id"]] = Ack(
                            reply["envelope_id"], reply.get("payload") or {}, time.monotonic())
        finally:
            with self._lock:
                self._sockets.remove(socket)
        return socket

    @property
    def connected(self) -> bool:
        return bool(self._sockets)

    def drop_connections(self) -> None:
        """Close every websocket, as Slack does on its periodic refresh of connections."""
        async def close() -> None:
            for socket in list(self._sockets):
                await socket.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)

    def push(self, kind: str, payload: Payload, retry_attempt: int = 0,
             envelope_id: str = "") -> str:
        envelope_id = envelope_id or f"env-{next(self._ids)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": kind != "events_api",
                    "retry_attempt": retry_attempt,
                    "retry_reason": "timeout" if retry_attempt else ""}

        async def send() -> None:
            if not self._sockets:
                raise ConnectionError("no Socket Mode connection")
            await self._sockets[-1].send_json(envelope)

        self.deliveries[envelope_id] = Delivery(envelope_id, payload)
        asyncio.run_coroutine_threadsafe(send(), self._loop).result(10)
        return envelope_id

    # -- what people do -------------------------------------------------------------

    def next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._clock)}.000100"

    def say(self, channel: str, user: str, text: str, thread_ts: str | None = None,
            channel_type: str = "channel", deliver: bool = True,
            team: str = TEAM) -> Payload:
        """A person posts a message: stored, and pushed as Slack would push it.

        A message that mentions the bot arrives twice, as `message` and `app_mention`.
        """
        # `user_team`: the person's own workspace (another one for a Slack Connect user).
        message: Payload = {"type": "message", "user": user, "text": text, "ts": self.next_ts(),
                            "channel": channel, "channel_type": channel_type, "team": TEAM,
                            "user_team": team}
        if thread_ts:
            message["thread_ts"] = thread_ts
        with self._lock:
            self.messages.setdefault(channel, []).append(message)
        if deliver:
            self.deliver(message)
        return message

    def share(self, channel: str, user: str, text: str, name: str, data: bytes,
              mimetype: str = "application/pdf", channel_type: str = "channel",
              thread_ts: str | None = None) -> Payload:
        """A person shares a file with a message: a `file_share` message whose `files`
        hold the file's private download URL (served by this stand-in)."""
        file_id = f"F{next(self._ids):08d}"
        with self._lock:
            self.files[file_id] = (data, mimetype)
        message = self.say(channel, user, text, thread_ts, channel_type, deliver=False)
        message["subtype"] = "file_share"
        message["files"] = [{
            "id": file_id, "name": name, "title": name, "mimetype": mimetype,
            "size": len(data), "mode": "hosted",
            "url_private": f"http://127.0.0.1:{self.port}/files-pri/{file_id}/{name}",
            "url_private_download":
                f"http://127.0.0.1:{self.port}/files-pri/{file_id}/download/{name}"}]
        self.deliver(message)
        return message

    def delete(self, message: Payload) -> None:
        """A person deletes a message, as Slack does it: a thread's first message that has
        replies stays as a tombstone, any other is gone; a `message_deleted` is pushed."""
        channel, ts = str(message["channel"]), str(message["ts"])
        with self._lock:
            stored = self.messages.get(channel, [])
            replied = any(m.get("thread_ts") == ts and m["ts"] != ts for m in stored)
            self.messages[channel] = [
                {"type": "message", "subtype": "tombstone", "user": "USLACKBOT", "ts": ts,
                 "thread_ts": ts, "text": "This message was deleted.", "hidden": True}
                if m["ts"] == ts and replied else m
                for m in stored if m["ts"] != ts or replied]
        self.push("events_api", event_callback({
            "type": "message", "subtype": "message_deleted", "hidden": True,
            "channel": channel, "channel_type": message.get("channel_type", "channel"),
            "ts": self.next_ts(), "deleted_ts": ts, "previous_message": dict(message)}))

    def deliver(self, message: Payload) -> list[str]:
        events = [event_callback(message)]
        if f"<@{BOT_USER}>" in message.get("text", "") and message["channel_type"] != "im":
            mention = {k: v for k, v in message.items() if k != "channel_type"}
            events.append(event_callback({**mention, "type": "app_mention"}))
        return [self.push("events_api", event) for event in events]

    def slash(self, text: str, user: str, channel: str = "C1", team: str = TEAM) -> str:
        return self.push("slash_commands", slash_command(text, user, channel, team))

    def click(self, message: Payload, channel: str, action_id: str, user: str,
              team: str = TEAM) -> str:
        return self.push("interactive", block_action(message, channel, action_id, user,
                                                     team))

    # -- what the bot did -----------------------------------------------------------

    def called(self, method: str) -> list[ApiCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def posts(self, channel: str | None = None) -> list[Payload]:
        return [c.args for c in self.called("chat.postMessage")
                if channel is None or c.args.get("channel") == channel]

    def ephemerals(self, user: str | None = None) -> list[Payload]:
        return [c.args for c in self.called("chat.postEphemeral")
                if user is None or c.args.get("user") == user]

    def replies_to(self, message: Payload) -> list[Payload]:
        """The bot's posts answering this message (threaded under it or in its thread)."""
        thread = message.get("thread_ts") or message["ts"]
        return [p for p in self.posts(message["channel"]) if p.get("thread_ts") == thread]


def event_callback(event: Payload) -> Payload:
    return {"token": "verification-token", "team_id": TEAM, "api_app_id": APP,
            "event": event, "type": "event_callback",
            "event_id": f"Ev{abs(hash((event['ts'], event['type']))):012d}",
            "event_time": int(time.time()), "authorizations": [
                {"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}


_TRIGGERS = itertools.count(1)


def slash_command(text: str, user: str, channel: str, team: str = TEAM) -> Payload:
    # `team_id`: for a Slack Connect user in a shared channel, their own workspace.
    return {"token": "verification-token", "team_id": team, "team_domain": "standin",
            "channel_id": channel, "channel_name": "general", "user_id": user,
            "user_name": user.lower(), "command": "/policybot", "text": text,
            "api_app_id": APP, "response_url": "https://hooks.slack.invalid/commands/1",
            # Unique per invocation, as Slack's: a replay is the same request again.
            "trigger_id": f"trigger-{next(_TRIGGERS)}"}


def block_action(message: Payload, channel: str, action_id: str, user: str,
                 team: str = TEAM) -> Payload:
    action = next(e for b in message.get("blocks", []) if b.get("type") == "actions"
                  for e in b["elements"] if e["action_id"] == action_id)
    return {"type": "block_actions", "team": {"id": TEAM},
            "user": {"id": user, "team_id": team},
            "api_app_id": APP, "token": "verification-token", "trigger_id": "trigger-2",
            "container": {"type": "message", "message_ts": message["ts"],
                          "channel_id": channel},
            "channel": {"id": channel}, "message": message,
            "actions": [{**action, "block_id": "feedback", "type": "button",
                         "action_ts": str(time.time())}]}
