"""Slack: mentions, direct messages, thread follow-ups, /policybot and feedback buttons.

Only translation happens here: a Slack event becomes a call to the Assistant, its Reply
becomes Block Kit. Slack redelivers events it thinks were not acknowledged within 3 s, so
every event is acknowledged at once, answered afterwards, and handled at most once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import errors
from bot.adapters.slack.format import (
    FEEDBACK_ACTIONS,
    SlackMessage,
    answer_message,
    notice_message,
    question_text,
)
from bot.serving.assistant import Assistant, Reply
from bot.serving.commands import HELP, REFRESH_STARTED, parse
from bot.serving.feedback import Feedback, FeedbackLog
from bot.serving.seen import SeenKeys
from bot.serving.workers import Workers

log = logging.getLogger(__name__)

PLATFORM = "slack"
WORKING_REACTION = "eyes"
DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
# Message subtypes that are a person talking; edits, joins and bot posts are not questions.
SPOKEN_SUBTYPES = {None, "thread_broadcast", "file_share"}


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str
    app_token: str = ""  # set: Socket Mode
    signing_secret: str = ""  # HTTP mode when there is no app token
    api_url: str = DEFAULT_API_URL
    host: str = "0.0.0.0"
    port: int = 3000

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)


@dataclass(frozen=True)
class Where:
    """Where a question was asked and where its answer goes."""

    channel: str
    ts: str  # the question's message
    thread_ts: str | None  # the thread to answer in; None: the conversation itself
    user: str

    @property
    def conversation(self) -> str:
        # Follow-ups are understood per Slack thread, or per DM when not threaded.
        return f"slack:{self.channel}:{self.thread_ts or '-'}"


class SlackAdapter:
    name = PLATFORM

    def __init__(self, assistant: Assistant, config: SlackConfig, feedback: FeedbackLog,
                 workers: int = 2) -> None:
        self.assistant = assistant
        self.config = config
        self.feedback = feedback
        self.client = AsyncWebClient(
            token=config.bot_token, base_url=config.api_url or DEFAULT_API_URL,
            retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=2),
                            AsyncRateLimitErrorRetryHandler(max_retry_count=5)],
        )
        # Bolt's own-event filter is off: ours drops every bot, itself included, and sees
        # every event, so what was handled can be counted.
        self.app = AsyncApp(client=self.client, signing_secret=config.signing_secret,
                            logger=logging.getLogger("slack_bolt"),
                            ignoring_self_events_enabled=False)
        self.workers = Workers(assistant, PLATFORM, workers)
        self.seen = SeenKeys()
        self.threads = SeenKeys()  # threads the bot has answered in
        self.bot_user_id = ""
        self.bot_id = ""
        self._bots: dict[str, bool] = {}
        self._socket: AsyncSocketModeHandler | None = None
        self._listening = False
        self.events_handled = 0  # events fully looked at (answered, ignored or queued)
        self._register()

    # -- wiring ---------------------------------------------------------------------

    def _register(self) -> None:
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command("/policybot")(self._on_command)
        for action_id in FEEDBACK_ACTIONS:
            self.app.action(action_id)(self._on_feedback)
        self.app.error(self._on_error)

    async def start(self) -> None:
        """Who the bot is; a bad token or an unreachable API stops start-up here."""
        try:
            auth = await self.client.auth_test()
        except SlackApiError as error:
            raise errors.PlatformError(
                f"Slack refused the bot token: {error.response.get('error', 'unknown error')}"
            ) from None
        except Exception as error:
            raise errors.PlatformError(f"cannot reach Slack at {self.client.base_url}: "
                                  f"{type(error).__name__}") from None
        self.bot_user_id = str(auth.get("user_id", ""))
        self.bot_id = str(auth.get("bot_id", ""))
        log.info("on Slack as %s (%s)", self.bot_user_id, self.bot_id)

    async def run(self, stop: asyncio.Event) -> None:
        await self.start()
        if self.config.socket_mode:
            self._socket = AsyncSocketModeHandler(self.app, self.config.app_token,
                                                  web_client=self.client)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack Socket Mode connected")
            try:
                await stop.wait()
            finally:
                await self._socket.close_async()  # type: ignore[no-untyped-call]
                self._socket = None
        else:
            runner = web.AppRunner(self.http_app())
            await runner.setup()
            await web.TCPSite(runner, self.config.host, self.config.port).start()
            self._listening = True
            log.info("Slack HTTP mode on %s:%d%s", self.config.host, self.config.port,
                     EVENTS_PATH)
            try:
                await stop.wait()
            finally:
                self._listening = False
                await runner.cleanup()
        await self.workers.drain()

    def http_app(self) -> web.Application:
        async def events(request: web.Request) -> web.Response:
            response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(response)

        application = web.Application()
        application.router.add_post(EVENTS_PATH, events)
        return application

    @property
    def busy(self) -> int:
        return self.workers.busy

    async def healthy(self) -> bool:
        if self._socket is not None:
            return bool(await self._socket.client.is_connected())
        return self._listening

    # -- events ---------------------------------------------------------------------

    def _first_delivery(self, body: dict[str, Any]) -> bool:
        event_id = body.get("event_id")
        return not event_id or self.seen.first(f"event:{event_id}")

    def _from_a_bot(self, event: dict[str, Any]) -> bool:
        return bool(event.get("bot_id")) or event.get("subtype") == "bot_message" or \
            event.get("user") in {self.bot_user_id, None, ""}

    async def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        try:
            if not self._first_delivery(body) or self._from_a_bot(event):
                return
            where = Where(event["channel"], event["ts"], event.get("thread_ts") or event["ts"],
                          event["user"])
            self.workers.start(self._answer(where, event.get("text", "")))
        finally:
            self.events_handled += 1

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        try:
            if not self._first_delivery(body) or self._from_a_bot(event):
                return
            if event.get("subtype") not in SPOKEN_SUBTYPES:
                return
            channel, ts = event["channel"], event["ts"]
            thread_ts = event.get("thread_ts")
            direct = event.get("channel_type") == "im"
            follow_up = bool(thread_ts and thread_ts != ts) and not direct and \
                await self._answered_in(channel, str(thread_ts))
            if not (direct or follow_up):
                return  # channel chatter: only mentions (their own event) are for the bot
            self.workers.start(self._answer(Where(channel, ts, thread_ts, event["user"]),
                                          event.get("text", "")))
        finally:
            self.events_handled += 1

    async def _answered_in(self, channel: str, thread_ts: str) -> bool:
        key = f"{channel}:{thread_ts}"
        if key in self.threads:
            return True
        # Not seen since start-up: the thread itself tells whether the bot took part.
        try:
            replies = await self.client.conversations_replies(channel=channel, ts=thread_ts,
                                                              limit=200)
        except SlackApiError:
            log.warning("cannot read thread %s in %s", thread_ts, channel, exc_info=True)
            return False
        messages: list[dict[str, Any]] = replies.get("messages", [])
        if any(m.get("user") == self.bot_user_id or (self.bot_id and m.get("bot_id") ==
               self.bot_id) for m in messages[1:]):
            self.threads.add(key)
            return True
        return False

    async def _is_bot_user(self, user: str) -> bool:
        """Apps can post as users; their messages are not questions."""
        if user not in self._bots:
            try:
                info = await self.client.users_info(user=user)
                self._bots[user] = bool(info["user"].get("is_bot"))
            except SlackApiError:
                log.warning("users.info failed for %s", user, exc_info=True)
                return False
        return self._bots[user]

    async def _answer(self, where: Where, raw_text: str) -> None:
        # A mention in a thread also arrives as a message event: one answer per message.
        if not self.seen.first(f"message:{where.channel}:{where.ts}"):
            return
        if await self._is_bot_user(where.user):
            return
        try:
            await self._react(where)
            text = question_text(raw_text, self.bot_user_id)
            if self.workers.is_admin_refresh(text, where.user):
                await self._post(where, notice_message(REFRESH_STARTED))
            reply = await self.workers.handle(text, where.user, where.conversation)
            await self._post(where, self._message(reply))
            if where.thread_ts:
                self.threads.add(f"{where.channel}:{where.thread_ts}")
        except Exception:
            log.exception("answering a Slack message in %s failed", where.channel)
            self.assistant.metrics.error("platform")
            await self._apologise(where)

    @staticmethod
    def _message(reply: Reply) -> SlackMessage:
        if reply.answer is not None:
            return answer_message(reply.answer)
        return notice_message(reply.text)

    async def _react(self, where: Where) -> None:
        try:
            await self.client.reactions_add(channel=where.channel, timestamp=where.ts,
                                            name=WORKING_REACTION)
        except SlackApiError as error:
            # Only a sign of life: a missing scope must not cost the answer.
            log.info("reactions.add failed: %s", error.response.get("error"))

    async def _post(self, where: Where, message: SlackMessage) -> None:
        await self.client.chat_postMessage(channel=where.channel, thread_ts=where.thread_ts,
                                           text=message.text, blocks=message.blocks,
                                           unfurl_links=False, unfurl_media=False)

    async def _apologise(self, where: Where) -> None:
        try:
            await self._post(where, SlackMessage(errors.ANSWER_FAILED))
        except Exception:
            log.exception("could not even apologise in %s", where.channel)

    # -- /policybot -----------------------------------------------------------------

    async def _on_command(self, ack: Callable[..., Awaitable[None]],
                          command: dict[str, Any]) -> None:
        user, channel = command["user_id"], command["channel_id"]
        parsed = parse(question_text(command.get("text", ""), self.bot_user_id))
        if parsed.name in {"help", "empty"}:
            await ack(text=HELP)
            return
        if parsed.name == "refresh" and not self.assistant.is_admin(user, PLATFORM):
            await ack(text=errors.ADMINS_ONLY)
            return
        if parsed.name == "refresh":
            await ack(text="Refreshing the knowledge base; I'll tell you here when it is done.")
        else:
            await ack()
        self.workers.start(self._command(parsed.name, parsed.argument, user, channel))

    async def _command(self, name: str, argument: str, user: str, channel: str) -> None:
        where = Where(channel, "", None, user)
        try:
            if name == "ask":
                # A slash command has no thread to continue: no follow-up memory.
                reply = await self.workers.handle(f"ask {argument}", user)
                answer = reply.answer
                if answer is not None and answer.grounded:
                    await self._post(where, answer_message(answer, asked_by=user))
                    return
                await self._whisper(channel, user, reply.text)
                return
            reply = await self.workers.handle(name, user)
            await self._whisper(channel, user, reply.text)
        except Exception:
            log.exception("/policybot %s failed in %s", name, channel)
            self.assistant.metrics.error("platform")
            await self._whisper(channel, user, errors.ANSWER_FAILED)

    async def _whisper(self, channel: str, user: str, text: str) -> None:
        message = notice_message(text)
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user, text=message.text,
                                                 blocks=message.blocks)
        except Exception:
            log.exception("chat.postEphemeral failed in %s", channel)

    # -- feedback -------------------------------------------------------------------

    async def _on_feedback(self, ack: Callable[..., Awaitable[None]],
                           body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = body.get("user", {}).get("id", "")
        channel = body.get("channel", {}).get("id", "")
        message = body.get("message", {})
        vote = FEEDBACK_ACTIONS[action["action_id"]]
        if not self.seen.first(f"vote:{user}:{channel}:{message.get('ts')}:{vote}"):
            return  # the same click twice counts once
        try:
            value = json.loads(action.get("value") or "{}")
            record = Feedback(
                platform=PLATFORM, user=user, vote=vote,  # type: ignore[arg-type]
                question=str(value.get("q", "")), answer=str(message.get("text", "")),
                cited=tuple(str(i) for i in value.get("ids", [])),
                conversation=channel, message=str(message.get("ts", "")),
            )
            await asyncio.to_thread(self.feedback.record, record)
        except Exception:
            log.exception("recording feedback failed")
            await self._whisper(channel, user, "Sorry, I could not record that feedback.")
            return
        await self._whisper(channel, user, "Thanks, your feedback is recorded.")

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        # Bolt calls this for failures outside our own handlers' try blocks.
        log.error("Slack request failed (%s): %s", body.get("type"), error, exc_info=error)
