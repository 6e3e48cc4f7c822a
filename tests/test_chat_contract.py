"""One contract, both chat platforms: the real Slack adapter (Bolt over Socket Mode, against
the local Slack stand-in) and the real Matrix adapter (against a real Synapse), each given a
scripted bot instead of the assistant, so these tests need no model and no knowledge base.

What every adapter owes the bot: one parsed request per message addressed to it (its
mention taken out, who asked, from which platform, in which conversation), the reply posted
once where the question was asked, a "started" notice before an admin's refresh, and an
apology (with the failure counted) when the bot fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest

from bot import errors
from bot.adapters.matrix.adapter import MatrixAdapter, MatrixConfig
from bot.adapters.slack.adapter import SlackAdapter, SlackConfig
from bot.answering.answers import Answer, Citation
from bot.answering.comparing import ComparisonAnswer, Stance
from bot.serving.commands import REFRESH_STARTED, Reply, Request
from bot.serving.feedback import FeedbackLog
from bot.serving.render import answer_text, comparison_text
from knowledge.index.refresh import Progress
from testing.matrix_people import EventLoop, Person
from testing.running_bot import RunningBot
from testing.slack_server import BOT_USER, SlackStandIn, wait_until
from testing.synapse_server import SynapseServer

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
QUESTION = "Who provides the computing power?"


class ScriptedBot:
    """A fake answer source behind the Bot interface: answers every question with a
    scripted, cited answer, and records what it was asked."""

    def __init__(self, admins: frozenset[str] = frozenset()) -> None:
        self.admins = admins
        self.requests: list[Request] = []
        self.errors: list[str] = []
        self.forgotten: list[str] = []
        self.failing = False

    def handle(self, request: Request, progress: Progress | None = None) -> Reply:
        self.requests.append(request)
        if self.failing:
            raise RuntimeError("scripted failure")
        name = request.command.name
        if name == "compare":
            comparison = ComparisonAnswer(request.command.argument, (
                Stance("essay.txt", "Der Mythos", None, (self.citation(),)),),
                (("cra.md", "Cyber Resilience Act"),))
            return Reply(name, comparison_text(comparison), comparison=comparison)
        if name != "ask":
            return Reply(name, f"scripted {name}")
        answer = Answer(request.command.argument, "Scripted: the hyperscalers [1].",
                        grounded=True, citations=(self.citation(),))
        return Reply(name, answer_text(answer), answer)

    @staticmethod
    def citation() -> Citation:
        return Citation(n=1, id="p1", source="essay.txt", title="Der Mythos",
                        section="Open Source", paragraph=3,
                        text="Die Hyperscaler stellen die Rechenleistung bereit.",
                        quote="Die Hyperscaler stellen die Rechenleistung bereit.",
                        url="", score=0.9)

    def is_admin(self, user: str, platform: str) -> bool:
        return user in self.admins

    def cost(self, request: Request) -> int:
        return 1

    def help_text(self, wait: bool = True) -> str:
        return "scripted help"

    def report_error(self, kind: str) -> None:
        self.errors.append(kind)

    def remembered(self, thread: str) -> tuple[str, ...]:
        return ()

    def forget(self, mark: str) -> None:
        self.forgotten.append(mark)


class Chat(Protocol):
    """A platform as a person sees it."""

    name: str
    asker: str  # the person's user id, as the bot receives it

    def mention(self, text: str) -> Any:
        """Post `text` in a group room, addressed to the bot; a handle to the message."""

    def direct(self, text: str) -> Any:
        """Post `text` in a direct chat with the bot."""

    def replies(self, message: Any) -> list[str]:
        """The text of each of the bot's replies to that message, in order."""

    def settle(self) -> None:
        """Until everything delivered was handled and no answer is in progress."""


class SlackChat:
    name = "slack"
    asker = "UANA"

    def __init__(self, slack: SlackStandIn, bot: ScriptedBot, root: Path) -> None:
        self.slack = slack
        self.adapter = SlackAdapter(bot, SlackConfig(slack.bot_token, slack.app_token,
                                                     api_url=slack.api_url),
                                    FeedbackLog(root / "feedback.jsonl"))
        self.running = RunningBot(self.adapter).__enter__()
        wait_until(lambda: slack.connected or self.running.error, what="Socket Mode")
        assert self.running.error is None, self.running.error

    def mention(self, text: str) -> Any:
        return self.slack.say("C1", self.asker, f"<@{BOT_USER}> {text}")

    def direct(self, text: str) -> Any:
        return self.slack.say("D1", self.asker, text, channel_type="im")

    def replies(self, message: Any) -> list[str]:
        if message["channel_type"] == "im":
            return [str(p["text"]) for p in self.slack.posts(message["channel"])]
        return [str(p["text"]) for p in self.slack.replies_to(message)]

    def settle(self) -> None:
        events = sum(1 for d in self.slack.deliveries.values() if "event" in d.body)
        wait_until(lambda: self.adapter.events_handled >= events, what="events handled")
        wait_until(lambda: self.adapter.busy == 0, what="answers in progress")

    def close(self) -> None:
        self.running.stop()
        assert self.running.error is None, self.running.error


class MatrixChat:
    name = "matrix"

    def __init__(self, synapse: SynapseServer, loop: EventLoop, bot: ScriptedBot,
                 root: Path) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.bot_id = synapse.register(f"bot{suffix}", PASSWORD)
        self.asker = synapse.register(f"ana{suffix}", PASSWORD)
        bot.admins = frozenset(a.replace("{asker}", self.asker) for a in bot.admins)
        self.person = Person(loop, synapse.url, self.asker, PASSWORD, root / "ana")
        self.adapter = MatrixAdapter(bot, MatrixConfig(
            homeserver=synapse.url, user_id=self.bot_id, state_dir=root / "bot",
            password=PASSWORD))
        self.running = RunningBot(self.adapter).__enter__()
        wait_until(lambda: self.adapter.syncs >= 1 or self.running.error, timeout=60,
                   what="the bot's first sync")
        assert self.running.error is None, self.running.error
        self.rooms: dict[bool, str] = {}

    def _room(self, direct: bool) -> str:
        if direct not in self.rooms:
            room = self.person.create_room([self.bot_id], direct=direct)
            self.person.wait_member(room, self.bot_id)
            self.rooms[direct] = room
        return self.rooms[direct]

    def mention(self, text: str) -> Any:
        room = self._room(direct=False)
        return room, self.person.send(room, f"{self.bot_id}: {text}", mention=self.bot_id)

    def direct(self, text: str) -> Any:
        room = self._room(direct=True)
        return room, self.person.send(room, text)

    def replies(self, message: Any) -> list[str]:
        room, event_id = message
        return [str(seen.content.get("body", ""))
                for seen in self.person.notices(room, self.bot_id)
                if (seen.content.get("m.relates_to") or {}).get("m.in_reply_to", {})
                .get("event_id") == event_id or room == self.rooms.get(True)]

    def settle(self) -> None:
        wait_until(lambda: self.adapter.busy == 0, what="answers in progress")

    def close(self) -> None:
        self.running.stop()
        assert self.running.error is None, self.running.error
        self.person.stop()


@pytest.fixture
def scripted() -> ScriptedBot:
    return ScriptedBot(admins=frozenset({"UANA", "{asker}"}))


@pytest.fixture(params=["slack", "matrix"])
def chat(request: pytest.FixtureRequest, scripted: ScriptedBot,
         tmp_path: Path) -> Iterator[Chat]:
    if request.param == "slack":
        with SlackStandIn() as slack:
            slack_chat = SlackChat(slack, scripted, tmp_path)
            yield slack_chat
            slack_chat.close()
        return
    matrix_chat = MatrixChat(request.getfixturevalue("synapse"),
                             request.getfixturevalue("loop"), scripted, tmp_path)
    yield matrix_chat
    matrix_chat.close()


def wait_replies(chat: Chat, message: Any, count: int = 1) -> list[str]:
    wait_until(lambda: len(chat.replies(message)) >= count, timeout=60,
               what=f"{count} repl(ies) on {chat.name}")
    chat.settle()
    return chat.replies(message)


def test_a_mention_is_one_parsed_request_and_one_reply(chat: Chat,
                                                       scripted: ScriptedBot) -> None:
    asked = chat.mention(QUESTION)
    replies = wait_replies(chat, asked)
    assert len(replies) == 1 and "Scripted: the hyperscalers [1]." in replies[0]
    assert "Die Hyperscaler stellen die Rechenleistung bereit." in replies[0]  # the citation
    assert len(scripted.requests) == 1
    request = scripted.requests[0]
    assert request.command.name == "ask" and request.command.argument == QUESTION
    assert (request.user, request.platform) == (chat.asker, chat.name)
    assert request.thread.startswith(f"{chat.name}:")


def test_a_direct_message_needs_no_mention(chat: Chat, scripted: ScriptedBot) -> None:
    asked = chat.direct("help")
    replies = wait_replies(chat, asked)
    assert replies == ["scripted help"]
    assert [r.command.name for r in scripted.requests] == ["help"]


def test_an_admins_refresh_is_announced_before_its_summary(chat: Chat,
                                                           scripted: ScriptedBot) -> None:
    asked = chat.mention("refresh")
    replies = wait_replies(chat, asked, count=2)
    assert replies == [REFRESH_STARTED, "scripted refresh"]


def test_a_failing_bot_gets_an_apology_and_a_counted_error(chat: Chat,
                                                           scripted: ScriptedBot) -> None:
    scripted.failing = True
    asked = chat.mention(QUESTION)
    assert wait_replies(chat, asked) == [errors.ANSWER_FAILED]
    assert scripted.errors == ["platform"]


def test_a_comparison_is_posted_document_by_document(chat: Chat,
                                                     scripted: ScriptedBot) -> None:
    asked = chat.mention("What do the sources say about computing power?")
    replies = wait_replies(chat, asked)
    assert len(replies) == 1
    assert "What the sources say about “computing power”" in replies[0]
    assert "Der Mythos (essay.txt)" in replies[0] and "Silent: Cyber Resilience Act" in \
        replies[0]
    assert [(r.command.name, r.command.argument) for r in scripted.requests] == [
        ("compare", "computing power")]
