"""Slack: mentions, direct messages, thread follow-ups, /policybot and feedback buttons.

Only translation happens here: a Slack event becomes a call to the Assistant, its Reply
becomes Block Kit. Slack redelivers events it thinks were not acknowledged within 3 s, so
every event is acknowledged at once, answered afterwards, and handled at most once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
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
from bot.adapters.slack.events import (
    Message,
    deleted,
    parse_click,
    parse_command,
    parse_event,
    question_text,
    readable_body,
)
from bot.adapters.slack.files import SlackFile, download
from bot.adapters.slack.format import (
    FEEDBACK_ACTIONS,
    SlackMessage,
    answer_message,
    check_message,
    comparison_message,
    escape,
    notice_message,
)
from bot.answering.memory import MAX_THREAD_MESSAGES, ThreadMessage
from bot.serving.commands import REFRESH_STARTED, Attachment, Formats, Request
from bot.serving.feedback import Feedback, FeedbackLog
from bot.serving.logs import STATUS
from bot.serving.platform import Bot
from bot.serving.seen import SeenKeys
from bot.serving.workers import Limits, Workers, teller

log = logging.getLogger(__name__)
status = logging.getLogger(STATUS)

PLATFORM = "slack"
SLACK = Formats(answer_message, comparison_message, check_message, notice_message)
WORKING_REACTION = "eyes"
DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
# A thread is read 200 messages a page, at most 5 pages; what follows is not read.
THREAD_PAGE_SIZE = 200
THREAD_PAGES = 5
MAX_USERS_KNOWN = 10_000


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


def is_direct(channel: str) -> bool:
    """A direct message's conversation (its id begins with D): its scopes are the
    person's (POLICYBOT_SCOPES), not a channel's."""
    return channel.startswith("D")


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

    def __init__(self, bot: Bot, config: SlackConfig, feedback: FeedbackLog,
                 limits: Limits | None = None) -> None:
        self.bot = bot
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
        self.workers = Workers(bot, PLATFORM, limits)
        self.seen = SeenKeys()
        self.threads = SeenKeys()  # threads the bot has answered in
        # Threads read back and found without the bot: their next replies need no read
        # (20 replies in a thread of 1,000 messages were 100 conversations.replies calls).
        self.not_in = SeenKeys()
        self._reading: dict[str, asyncio.Future[list[dict[str, Any]]]] = {}
        self.bot_user_id = ""
        self.team_id = ""
        self.bot_id = ""
        self._whom = ""  # as whom and where, for the "connected" line
        self._users: dict[str, dict[str, Any]] = {}  # users.info, by user id
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
        self.team_id = str(auth.get("team_id", ""))
        self.bot_id = str(auth.get("bot_id", ""))
        self._whom = (f"@{auth.get('user') or self.bot_user_id} ({self.bot_user_id}) in "
                      f"workspace {auth.get('team') or self.team_id} ({self.team_id})")

    async def run(self, stop: asyncio.Event) -> None:
        await self.start()
        if self.config.socket_mode:
            self._socket = AsyncSocketModeHandler(self.app, self.config.app_token,
                                                  web_client=self.client)
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            status.info("Slack: connected by Socket Mode as %s", self._whom)
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
            status.info("Slack: listening on http://%s:%d%s as %s", self.config.host,
                        self.config.port, EVENTS_PATH, self._whom)
            try:
                await stop.wait()
            finally:
                self._listening = False
                await runner.cleanup()
        await self.workers.drain()

    def http_app(self) -> web.Application:
        async def events(request: web.Request) -> web.Response:
            body = await request.text()
            if not readable_body(body, request.content_type):
                # Bolt fails with a 500 on a body it cannot parse, signed or not.
                return web.Response(status=400, text="not a Slack request")
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

    def _first_delivery(self, message: Message) -> bool:
        return not message.event_id or self.seen.first(f"event:{message.event_id}")

    def _from_a_bot(self, message: Message) -> bool:
        return bool(message.bot_id) or message.user in {self.bot_user_id, ""}

    async def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        await self._on_event(parse_event("mention", event, body))

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        await self._on_event(parse_event("message", event, body))

    async def _on_event(self, message: Message | None) -> None:
        try:
            if message is None:
                log.info("ignored a Slack event without channel or timestamp")
                return
            if message.deleted:
                self.bot.forget(f"{message.channel}:{message.deleted}")
                return
            if not self._first_delivery(message) or self._from_a_bot(message):
                return
            if message.user_team and self.team_id and message.user_team != self.team_id:
                # Slack Connect: a person from another organisation in a shared channel.
                # The sources are this workspace's; they are not answered.
                log.info("not answering %s from %s: a Slack Connect user (workspace %s)",
                         message.ts, message.user, message.user_team)
                return
            thread: list[dict[str, Any]] | None = None  # the thread, if read already
            if message.kind == "mention":
                # Answered in the mention's thread, or a new thread under it.
                where = Where(message.channel, message.ts, message.thread_ts or message.ts,
                              message.user)
            else:
                if not message.spoken:
                    return
                if not message.direct and f"<@{self.bot_user_id}>" in message.text:
                    return  # its app_mention event answers it (no second thread read)
                follow_up = False
                if message.in_thread and not message.direct:
                    follow_up, thread = await self._answered_in(message.channel,
                                                                str(message.thread_ts))
                if not (message.direct or follow_up):
                    return  # channel chatter: only mentions (their own event) are for the bot
                where = Where(message.channel, message.ts, message.thread_ts, message.user)
            self.workers.start(self._answer(where, message.text, thread, message.files))
        finally:
            self.events_handled += 1

    async def _answered_in(self, channel: str, thread_ts: str,
                           ) -> tuple[bool, list[dict[str, Any]] | None]:
        """Whether the bot took part in the thread, and the thread if it had to be read
        to tell (the answer then needs no second read)."""
        key = f"{channel}:{thread_ts}"
        if key in self.threads:
            return True, None
        if key in self.not_in:
            return False, None  # read once already; the bot answering there adds it above
        # Not seen since start-up: the thread itself tells whether the bot took part.
        # Replies arriving together share one read (each starting its own, 20 replies
        # made 20 reads).
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.ensure_future(self._read_thread(channel, thread_ts))
            self._reading[key] = reading
            reading.add_done_callback(lambda _: self._reading.pop(key, None))
        messages = await asyncio.shield(reading)
        if any(self._by_this_bot(m) for m in messages[1:]):
            self.threads.add(key)
            return True, messages
        if messages:  # an unreadable thread is asked again next time
            self.not_in.add(key)
        return False, messages

    def _serves(self, message: dict[str, Any]) -> bool:
        """Whether a message read back is the bot's own or by a person it would answer:
        one of this workspace (a Slack Connect outsider's says "user_team" otherwise)."""
        team = message.get("user_team") or message.get("team")
        return self._by_this_bot(message) or not (team and self.team_id and
                                                  team != self.team_id)

    def _by_this_bot(self, message: dict[str, Any]) -> bool:
        return message.get("user") == self.bot_user_id or bool(
            self.bot_id and message.get("bot_id") == self.bot_id)

    async def _read_thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The thread's messages, its first one first; at most THREAD_PAGES pages (Slack
        gives them oldest first), none when it cannot be read."""
        messages: list[dict[str, Any]] = []
        cursor = ""
        try:
            for _ in range(THREAD_PAGES):
                page = await self.client.conversations_replies(
                    channel=channel, ts=thread_ts, limit=THREAD_PAGE_SIZE,
                    cursor=cursor or None)
                found = page.get("messages")
                messages.extend(m for m in found or [] if isinstance(m, dict))
                metadata = page.get("response_metadata") or {}
                cursor = str(metadata.get("next_cursor") or "")
                if not page.get("has_more") or not cursor:
                    break
        except SlackApiError:
            log.warning("cannot read thread %s in %s", thread_ts, channel, exc_info=True)
        return messages

    async def _thread_context(self, where: Where, thread: list[dict[str, Any]] | None,
                              ) -> tuple[tuple[ThreadMessage, ...], str]:
        """The thread so far (before the question) and the text of its first message;
        nothing for a question that starts a thread or stands outside one. `thread`: the
        thread's messages if read already."""
        if not where.thread_ts or where.thread_ts == where.ts:
            return (), ""
        messages = thread if thread is not None else \
            await self._read_thread(where.channel, where.thread_ts)
        # Only people the bot serves feed it: not a deleted message's tombstone, not a
        # Slack Connect outsider's message.
        messages = [m for m in messages if not deleted(m) and self._serves(m)]
        earlier = [m for m in messages if _before(m.get("ts"), where.ts) and m.get("text")]
        context = tuple(ThreadMessage(question_text(str(m["text"]), self.bot_user_id),
                                      self._by_this_bot(m), str(m.get("user") or ""))
                        for m in earlier[-MAX_THREAD_MESSAGES:])
        root = next((m for m in messages if m.get("ts") == where.thread_ts), None)
        quoted = question_text(str(root.get("text", "")), self.bot_user_id) \
            if root is not None and not self._by_this_bot(root) else ""
        return context, quoted

    async def _user(self, user: str) -> dict[str, Any]:
        """users.info's record of a person (remembered), {} when Slack cannot say."""
        if user not in self._users:
            try:
                info = await self.client.users_info(user=user)
            except SlackApiError:
                log.warning("users.info failed for %s", user, exc_info=True)
                return {}
            record = info.get("user")
            self._users[user] = record if isinstance(record, dict) else {}
            while len(self._users) > MAX_USERS_KNOWN:
                del self._users[next(iter(self._users))]
        return self._users[user]

    async def _is_bot_user(self, user: str) -> bool:
        """Apps can post as users; their messages are not questions."""
        return bool((await self._user(user)).get("is_bot"))

    async def _outsider(self, user: str, team: str) -> bool:
        """Whether a person is of another workspace (Slack Connect): by the payload's
        team, else users.info's. The sources are this workspace's; they are not served."""
        if not self.team_id:
            return False
        team = team or str((await self._user(user)).get("team_id") or "")
        return bool(team) and team != self.team_id

    async def _answer(self, where: Where, raw_text: str,
                      thread: list[dict[str, Any]] | None = None,
                      files: tuple[SlackFile, ...] = ()) -> None:
        # A mention in a thread also arrives as a message event: one answer per message.
        if not self.seen.first(f"message:{where.channel}:{where.ts}"):
            return
        if await self._is_bot_user(where.user):
            return
        try:
            # Nothing is spent on a message the bot will not take on now.
            turned_away = self.workers.turned_away(Request.of(
                question_text(raw_text, self.bot_user_id), where.user, PLATFORM))
            if turned_away is not None:
                if not turned_away.silent:
                    await self._post(where, SLACK.render(turned_away))
                return
            await self._react(where)
            context, quoted = await self._thread_context(where, thread)
            request = replace(
                Request.of(question_text(raw_text, self.bot_user_id), where.user, PLATFORM,
                           where.conversation, context, quoted,
                           event=f"{where.channel}:{where.ts}", place=where.channel,
                           direct=is_direct(where.channel)),
                attachment=self._attachment(files),
                tell=teller(lambda text: self._post(where, notice_message(text))))
            if self.workers.starts_a_refresh(request):
                await self._post(where, notice_message(REFRESH_STARTED))
            reply = await self.workers.handle(request)
            if reply.silent:
                return  # told once that the bot is busy with their earlier requests
            await self._post(where, SLACK.render(reply))
            self._took_part(where)
        except Exception:
            log.exception("answering a Slack message in %s failed", where.channel)
            self.bot.report_error("platform")
            await self._apologise(where)
            self._took_part(where)

    def _attachment(self, files: tuple[SlackFile, ...]) -> Attachment | None:
        """The message's first file, for `add`: downloaded only when asked (an admin's
        add), with the bot token, from Slack's hosts only."""
        if not files:
            return None
        file, token, api = files[0], self.client.token or "", self.client.base_url
        return Attachment(file.name, file.size,
                          lambda limit: download(file, token, api, limit), file.mimetype)

    def owns(self, place: str) -> bool:
        """Slack's channel ids (C…, G…, D…): a digest's place (see serving/schedule)."""
        return not place.startswith("!")

    async def announce(self, place: str, text: str) -> None:
        await self._post(Where(place, "", None, ""), notice_message(text))

    def _took_part(self, where: Where) -> None:
        """The bot posted in this thread: its follow-ups are for the bot."""
        if where.thread_ts:
            key = f"{where.channel}:{where.thread_ts}"
            self.threads.add(key)
            self.not_in.discard(key)

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
        slash = parse_command(command)
        if slash is None:
            await ack(text=errors.ANSWER_FAILED)
            log.info("ignored a slash command without user or channel")
            return
        if slash.trigger_id and not self.seen.first(f"command:{slash.trigger_id}"):
            await ack()  # a replayed or redelivered request: it ran once already
            return
        if await self._outsider(slash.user, slash.team):
            await ack(text=errors.OUTSIDER)
            log.info("not answering /policybot from %s: a Slack Connect user", slash.user)
            return
        # A slash command has no thread to continue: no follow-up memory.
        request = replace(Request.of(question_text(slash.text, self.bot_user_id), slash.user,
                                     PLATFORM, place=slash.channel,
                                     direct=is_direct(slash.channel)),
                          private=True)  # a slash command's replies are whispered
        name = request.command.name
        if name in {"help", "empty"}:
            # The examples are made once per refresh, in the background (seconds).
            await ack(text=escape(await asyncio.to_thread(self.bot.help_text, False)))
            return
        if name == "refresh" and not self.bot.is_admin(slash.user, PLATFORM):
            await ack(text=errors.ADMINS_ONLY)
            return
        if name == "refresh":
            await ack(text="Refreshing the knowledge base; I'll tell you here when it is done.")
        else:
            await ack()
        self.workers.start(self._command(request, slash.channel))

    async def _command(self, request: Request, channel: str) -> None:
        user = request.user
        try:
            reply = await self.workers.handle(request)
            if reply.silent:
                return
            if reply.answer is not None and reply.answer.grounded:
                await self._post(Where(channel, "", None, user),
                                 answer_message(reply.answer, asked_by=user))
                return
            if (reply.comparison is not None and reply.comparison.positions) or \
                    (reply.check is not None and reply.check.claims):
                await self._post(Where(channel, "", None, user), SLACK.render(reply))
                return
            await self._whisper(channel, user, reply.text)
        except Exception:
            log.exception("/policybot %s failed in %s", request.command.name, channel)
            self.bot.report_error("platform")
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
        click = parse_click(body, action)
        if click is None:
            log.info("ignored a malformed feedback click")
            return
        if await self._outsider(click.user, click.team):
            log.info("ignored a feedback click from %s: a Slack Connect user", click.user)
            return
        if not self.seen.first(f"vote:{click.user}:{click.channel}:{click.message_ts}:"
                               f"{click.vote}"):
            return  # the same click twice counts once
        try:
            record = Feedback(
                platform=PLATFORM, user=click.user, vote=click.vote, question=click.question,
                answer=click.answer, cited=click.cited, conversation=click.channel,
                message=click.message_ts,
            )
            await asyncio.to_thread(self.feedback.record, record)
        except Exception:
            log.exception("recording feedback failed")
            await self._whisper(click.channel, click.user,
                                "Sorry, I could not record that feedback.")
            return
        await self._whisper(click.channel, click.user, "Thanks, your feedback is recorded.")

    async def _on_error(self, error: Exception, body: dict[str, Any]) -> None:
        # Bolt calls this for failures outside our own handlers' try blocks.
        log.error("Slack request failed (%s): %s", body.get("type"), error, exc_info=error)


def _before(ts: object, other: str) -> bool:
    """Whether a Slack timestamp ("1700000001.000100") is earlier than another."""
    try:
        return float(str(ts)) < float(other)
    except ValueError:
        return False
