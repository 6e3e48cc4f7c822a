"""The real Matrix adapter against a real Synapse on 127.0.0.1, with real nio clients as
people (tests/synapse_server.py, tests/matrix_people.py)."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, LoginResponse

from bot import errors
from bot.adapters.matrix.adapter import MatrixAdapter, MatrixConfig
from bot.adapters.matrix.session import Session
from bot.serving.assistant import Assistant
from bot.serving.feedback import FeedbackLog
from bot.serving.settings import Settings
from knowledge.assembly.knowledge_base import KnowledgeBase
from testing.matrix_people import EventLoop, Person
from testing.openai_server import ChatReply, OpenAIServer
from testing.running_bot import RunningBot
from testing.slack_server import SlackStandIn, wait_until
from testing.synapse_server import SynapseServer
from tests.conftest import Serving

pytestmark = pytest.mark.e2e

QUESTION = "Who really wins the open-source AI race?"
PASSWORD = "correct horse battery staple"


class World:
    """A bot account, people, and bots started against the homeserver; all stopped after."""

    def __init__(self, synapse: SynapseServer, loop: EventLoop, root: Path,
                 kb: KnowledgeBase) -> None:
        self.synapse = synapse
        self.loop = loop
        self.root = root
        self.kb = kb
        suffix = uuid.uuid4().hex[:8]
        self.bot_id = synapse.register(f"bot{suffix}", PASSWORD)
        self.admin_id = f"@admin{suffix}:{self.bot_id.split(':')[1]}"
        self.people: list[Person] = []
        self.running: list[RunningBot] = []
        self.adapter: MatrixAdapter | None = None

    def person(self, name: str) -> Person:
        localpart = f"{name}{uuid.uuid4().hex[:6]}"
        if name == "admin":
            localpart = self.admin_id[1:].split(":")[0]
        user_id = self.synapse.register(localpart, PASSWORD)
        person = Person(self.loop, self.synapse.url, user_id, PASSWORD,
                        self.root / "people" / localpart)
        self.people.append(person)
        return person

    def start_bot(self, assistant: Assistant | None = None,
                  feedback: FeedbackLog | None = None, **options: Any) -> MatrixAdapter:
        config = MatrixConfig(homeserver=self.synapse.url, user_id=self.bot_id,
                              state_dir=self.root / "bot", password=PASSWORD, **options)
        adapter = MatrixAdapter(assistant or Assistant(self.kb, frozenset({self.admin_id})),
                                config, feedback=feedback)
        running = RunningBot(adapter).__enter__()
        self.running.append(running)
        wait_until(lambda: adapter.syncs >= 1 or running.error, timeout=60,
                   what="the bot's first sync")
        assert running.error is None, running.error
        self.adapter = adapter
        return adapter

    def stop_bot(self) -> None:
        bot = self.running.pop()
        bot.stop()
        assert bot.error is None, bot.error

    def close(self) -> None:
        while self.running:
            self.stop_bot()
        for person in self.people:
            person.stop()


@pytest.fixture
def world(synapse: SynapseServer, loop: EventLoop, tmp_path: Path,
          essay_kb: KnowledgeBase) -> Iterator[World]:
    if synapse.process is None or synapse.process.poll() is not None:
        synapse.start()  # a test that stopped it failed before restarting it
    matrix = World(synapse, loop, tmp_path, essay_kb)
    yield matrix
    matrix.close()


def joined_room(world: World, person: Person, **options: Any) -> str:
    room = person.create_room([world.bot_id], **options)
    person.wait_member(room, world.bot_id)
    return room


def test_a_mention_gets_a_threaded_cited_notice(world: World) -> None:
    world.start_bot()
    ana = world.person("ana")
    room = joined_room(world, ana)
    asked = ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    notice = ana.wait_notices(room, world.bot_id)[0]
    relation = notice.content["m.relates_to"]
    assert relation["rel_type"] == "m.thread" and relation["event_id"] == asked
    assert "[1]" in notice.content["body"] and "Rechenleistung" in notice.content["body"]
    html = notice.content["formatted_body"]
    assert "<blockquote>" in html and "<strong>[1]</strong>" in html
    assert any(world.bot_id in users for _, users in ana.typing)  # it showed it was working
    ana.send(room, "Lunch anyone?")  # no mention: not for the bot
    follow = ana.send(room, "And what does he propose instead?", thread_root=asked)
    wait_until(lambda: len(ana.notices(room, world.bot_id)) >= 2, timeout=60,
               what="the follow-up answer")
    answer = ana.notices(room, world.bot_id)[1]
    assert answer.content["m.relates_to"]["event_id"] == asked  # same thread
    assert answer.content["m.relates_to"]["m.in_reply_to"]["event_id"] == follow
    assert world.adapter is not None
    wait_until(lambda: world.adapter is not None and world.adapter.busy == 0, what="quiet")
    assert len(ana.notices(room, world.bot_id)) == 2  # never itself, never the chatter


def test_a_direct_chat_is_answered_without_a_thread(world: World) -> None:
    world.start_bot()
    ben = world.person("ben")
    room = joined_room(world, ben, direct=True)
    ben.send(room, "Wer stellt die Rechenleistung bereit?")
    notice = ben.wait_notices(room, world.bot_id)[0]
    assert "m.relates_to" not in notice.content
    assert "<blockquote>" in notice.content["formatted_body"]
    ben.send(room, "x" * 5000)
    too_long = ben.wait_notices(room, world.bot_id, 2)[1]
    assert "too long" in too_long.content["body"]
    ben.send(room, "Another bot's notice mentioning you", msgtype="m.notice",
             mention=world.bot_id)
    ben.send(room, "sources")
    listing = ben.wait_notices(room, world.bot_id, 3)[2]
    assert "1 document," in listing.content["body"]
    assert len(ben.notices(room, world.bot_id)) == 3  # the other notice got no answer


def test_a_replayed_sync_is_not_answered_twice(world: World) -> None:
    """A crash after answering but before the sync token was saved replays the question."""
    world.start_bot()
    hal = world.person("hal")
    room = joined_room(world, hal, direct=True)
    state_file = world.root / "bot" / "state.json"
    before = json.loads(state_file.read_text("utf-8"))["next_batch"]
    hal.send(room, QUESTION)
    hal.wait_notices(room, world.bot_id)
    world.stop_bot()
    state = json.loads(state_file.read_text("utf-8"))
    state_file.write_text(json.dumps({**state, "next_batch": before}), "utf-8")
    adapter = world.start_bot()
    wait_until(lambda: adapter.events_handled >= 1 and adapter.busy == 0,
               what="the replayed question looked at")
    assert len(hal.notices(room, world.bot_id)) == 1


def test_refresh_for_admins_only(world: World) -> None:
    world.start_bot()
    admin, cara = world.person("admin"), world.person("cara")
    room = admin.create_room([world.bot_id, cara.user_id])
    admin.wait_member(room, world.bot_id)
    world.loop.run(cara.client.join(room))
    admin.wait_member(room, cara.user_id)
    asked = admin.send(room, f"{world.bot_id} refresh", mention=world.bot_id)
    started, summary = admin.wait_notices(room, world.bot_id, 2)[:2]
    assert started.content["body"].startswith("Refreshing the knowledge base")
    assert summary.content["body"].startswith("Refresh done: 0 added, 0 changed")
    assert summary.content["m.relates_to"]["event_id"] == asked
    cara.send(room, f"{world.bot_id} refresh", mention=world.bot_id)
    refused = admin.wait_notices(room, world.bot_id, 3)[2]
    assert refused.content["body"] == "Sorry, only admins can refresh the knowledge base."


def test_an_encrypted_room_works_before_and_after_a_restart(world: World) -> None:
    world.start_bot()
    dan = world.person("dan")
    room = joined_room(world, dan, encrypted=True)
    dan.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    notice = dan.wait_notices(room, world.bot_id)[0]
    assert notice.encrypted and "[1]" in notice.content["body"]
    world.stop_bot()
    world.start_bot()  # same data dir: same device, same keys
    dan.send(room, f"{world.bot_id}: Wer stellt die Rechenleistung bereit?",
             mention=world.bot_id)
    again = dan.wait_notices(room, world.bot_id, 2)[1]
    assert again.encrypted and "[1]" in again.content["body"]


def test_an_encrypted_room_whose_state_the_client_missed_still_gets_encrypted_answers(
        world: World) -> None:
    adapter = world.start_bot()
    dan = world.person("dan")
    room = joined_room(world, dan, encrypted=True)
    wait_until(lambda: room in adapter.client.rooms, what="the room at the bot")
    # As once after a restart: the client has not seen the room's encryption state.
    adapter.client.encrypted_rooms.discard(room)
    adapter.client.rooms[room].encrypted = False
    dan.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    notice = dan.wait_notices(room, world.bot_id)[0]
    assert notice.encrypted and "[1]" in notice.content["body"]


def first_paragraph(notice: Any) -> str:
    """The paragraph the answer's first citation points to ("¶3")."""
    return str(re.findall(r"¶\d+", notice.content["body"])[0])


def _device_keys(world: World, user_id: str, verb: str) -> int:
    """How many ed25519 keys of the user's devices the bot's store holds ("SELECT"), or
    deletes ("DELETE")."""
    [database] = (world.root / "bot" / "store").glob("*.db")
    what = "SELECT COUNT(*)" if verb == "SELECT" else "DELETE"
    with sqlite3.connect(database) as connection:
        cursor = connection.execute(
            f"{what} FROM keys WHERE key_type = 'ed25519' AND device_id IN "
            "(SELECT id FROM devicekeys WHERE user_id = ?)", (user_id,))
        return int(cursor.fetchone()[0]) if verb == "SELECT" else cursor.rowcount


@pytest.mark.parametrize("store", ["intact", "missing a device key"])
def test_an_encrypted_thread_is_read_back_after_a_restart(world: World, store: str) -> None:
    world.start_bot()
    dan = world.person("dan")
    room = joined_room(world, dan, encrypted=True)
    asked = dan.send(room, f"{world.bot_id}: What does the author predict for European "
                     "open-source AI projects?", mention=world.bot_id)
    dan.wait_notices(room, world.bot_id)
    if store != "intact":
        # The bot keeps dan's device keys once it has queried them; under load that may
        # be after it answered.
        wait_until(lambda: _device_keys(world, dan.user_id, "SELECT") >= 1, timeout=30,
                   what="dan's device key in the bot's store")
    world.stop_bot()
    if store != "intact":  # as a clean-clone run once left it: nio refused to load it
        assert _device_keys(world, dan.user_id, "DELETE") >= 1
    world.start_bot()  # its memory of the thread is gone; the thread is read back
    dan.send(room, "And what does he propose instead?", thread_root=asked)
    answer = dan.wait_notices(room, world.bot_id, 2)[1]
    assert answer.encrypted and first_paragraph(answer) == "¶6"


def test_called_into_a_thread_late_it_answers_in_the_threads_context(world: World) -> None:
    world.start_bot()
    ana = world.person("ana")
    room = joined_room(world, ana)
    root = ana.send(room, "Ich glaube, die GPU-Cluster für unsere Startups kommen aus Europa.")
    ana.send(room, "Woher kommen diese Cluster eigentlich?", thread_root=root)
    ana.send(room, f"{world.bot_id}: what does the essay say about that?",
             mention=world.bot_id, thread_root=root)
    answer = ana.wait_notices(room, world.bot_id)[0]
    assert answer.content["m.relates_to"]["event_id"] == root
    assert first_paragraph(answer) == "¶3" and "GPU-Cluster" in answer.content["body"]
    ana.send(room, f"{world.bot_id}: what does the essay say about that?",
             mention=world.bot_id)  # outside the thread: no such topic
    alone = ana.wait_notices(room, world.bot_id, 2)[1]
    assert first_paragraph(alone) != "¶3"


def test_check_alone_checks_the_message_replied_to(world: World) -> None:
    world.start_bot()
    ana = world.person("ana")
    room = joined_room(world, ana)
    claim = ana.send(room, "Die Gewinner sind diejenigen, die Rechenleistung bereitstellen.")
    ana.send(room, f"{world.bot_id}: check", mention=world.bot_id, reply_to=claim)
    notice = ana.wait_notices(room, world.bot_id)[0]
    assert "Claim 1: Die Gewinner sind diejenigen" in notice.content["body"]
    assert "<strong>Claim 1:</strong>" in notice.content["formatted_body"]


TRANSLATED = ("Whoever controls the infrastructure wins; that is the plain truth nobody "
              "wants to hear, and it decides who provides the computing power.")


def test_compare_with_a_model_states_each_position_in_html(world: World) -> None:
    with OpenAIServer() as model:
        model.script = lambda messages: ChatReply(
            "D1: The essay says the winners supply the computing power [1]." if "<document"
            in json.dumps(messages) else f"1: {TRANSLATED}")
        settings = Settings(_env_file=None, llm="openai:test-model",  # type: ignore[call-arg]
                            llm_base_url=model.url)
        world.start_bot(Assistant.from_settings(settings, world.kb))
        ana = world.person("ana")
        room = joined_room(world, ana)
        ana.send(room, f"{world.bot_id}: compare GPU clusters for European startups",
                 mention=world.bot_id)
        notice = ana.wait_notices(room, world.bot_id)[0]
    html = notice.content["formatted_body"]
    assert "<li><strong>Der Mythos" in html
    assert "<p>The essay says the winners supply the computing power [1].</p>" in html
    assert f"Machine translation: {TRANSLATED}" in html


def test_no_backlog_on_first_start_and_missed_messages_after_a_restart(world: World) -> None:
    eve = world.person("eve")
    # The bot's account is already in a room with an unanswered mention before policybot
    # ever runs with it.
    room = eve.create_room([world.bot_id])
    bot = AsyncClient(world.synapse.url, world.bot_id)
    assert isinstance(world.loop.run(bot.login(PASSWORD)), LoginResponse)
    world.loop.run(bot.join(room))
    world.loop.run(bot.close())
    eve.wait_member(room, world.bot_id)
    eve.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    adapter = world.start_bot()
    wait_until(lambda: adapter.syncs >= 2, what="a sync after the first")
    assert eve.notices(room, world.bot_id) == []  # the backlog is not answered
    world.stop_bot()
    missed = eve.send(room, f"{world.bot_id}: Wer stellt die Rechenleistung bereit?",
                      mention=world.bot_id)
    world.start_bot()
    answer = eve.wait_notices(room, world.bot_id)[0]
    assert answer.content["m.relates_to"]["event_id"] == missed
    world.stop_bot()
    too_old = eve.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    sent = time.time()
    wait_until(lambda: time.time() - sent > 2.5, what="the message to age")
    adapter = world.start_bot(catch_up_seconds=2.0)
    wait_until(lambda: adapter.events_handled >= 1, what="the missed message looked at")
    assert len(eve.notices(room, world.bot_id)) == 1  # older than the limit: left alone
    assert too_old not in adapter.state.answered


def test_the_bot_rides_out_a_homeserver_restart(world: World) -> None:
    adapter = world.start_bot()
    fay = world.person("fay")
    room = joined_room(world, fay, direct=True)
    fay.send(room, QUESTION)
    fay.wait_notices(room, world.bot_id)
    world.synapse.stop()
    wait_until(lambda: adapter.sync_failures > 0, timeout=60, what="the bot to notice")
    syncs = adapter.syncs
    world.synapse.start()
    wait_until(lambda: adapter.syncs > syncs, timeout=90, what="the bot to sync again")
    fay.send(room, "Wer stellt die Rechenleistung bereit?")
    fay.wait_notices(room, world.bot_id, 2, timeout=90)


def test_invites_from_other_servers_are_declined(world: World) -> None:
    world.start_bot(allowed_servers=("trusted.example",))
    gus = world.person("gus")
    room = gus.create_room([world.bot_id])
    wait_until(lambda: [s for s in gus.seen if s.room_id == room and s.sender == world.bot_id
                        and s.content.get("membership") == "leave"], what="the decline")
    assert not [s for s in gus.seen if s.sender == world.bot_id
                and s.content.get("membership") == "join"]


def test_rate_limits_are_waited_out(tmp_path: Path, loop: EventLoop, essay_kb: KnowledgeBase,
                                    caplog: pytest.LogCaptureFixture) -> None:
    """A homeserver allowing one message per 2 s: the refresh's two notices still arrive."""
    strict = SynapseServer(tmp_path / "strict", messages_per_second=0.5).start()
    world = World(strict, loop, tmp_path / "world", essay_kb)
    try:
        world.start_bot()
        admin = world.person("admin")
        room = joined_room(world, admin, direct=True)
        with caplog.at_level(logging.WARNING, logger="nio"):
            admin.send(room, "refresh")
            started, summary = admin.wait_notices(room, world.bot_id, 2, timeout=120)[:2]
        assert started.content["body"].startswith("Refreshing")
        assert summary.content["body"].startswith("Refresh done")
        assert any("429" in r.getMessage() for r in caplog.records)  # it was limited
    finally:
        world.close()
        strict.stop()


def test_a_wrong_password_stops_start_up_in_one_line(synapse: SynapseServer,
                                                      tmp_path: Path,
                                                      essay_kb: KnowledgeBase) -> None:
    user = synapse.register(f"bot{uuid.uuid4().hex[:8]}", PASSWORD)
    config = MatrixConfig(homeserver=synapse.url, user_id=user, state_dir=tmp_path / "m",
                          password="wrong")
    running = RunningBot(MatrixAdapter(Assistant(essay_kb), config)).__enter__()
    running.stop()
    assert isinstance(running.error, errors.PlatformError)
    assert str(running.error).startswith(f"Matrix login failed for {user}")


def test_an_unreadable_encryption_store_is_reported_and_left_as_it_was(
        tmp_path: Path, essay_kb: KnowledgeBase) -> None:
    user, device = "@bot:127.0.0.1", "DEVICE"
    state = tmp_path / "m"
    (state / "store").mkdir(parents=True)
    Session(user, device, "token").save(state / "session.json")
    database = state / "store" / f"{user}_{device}.db"
    database.write_bytes(b"not a database" * 100)
    config = MatrixConfig(homeserver="http://127.0.0.1:9", user_id=user, state_dir=state)
    running = RunningBot(MatrixAdapter(Assistant(essay_kb), config)).__enter__()
    running.stop()
    assert isinstance(running.error, errors.PlatformError)
    message = str(running.error)
    assert message.startswith("cannot load the Matrix encryption store in ")
    assert "\n" not in message and "session.json aside" in message
    assert database.read_bytes() == b"not a database" * 100



def test_policybot_run_serves_matrix_and_slack_side_by_side(world: World,
                                                            cli_env: dict[str, str]) -> None:
    with SlackStandIn() as slack:
        env = {**cli_env, "POLICYBOT_MATRIX_HOMESERVER": world.synapse.url,
               "POLICYBOT_MATRIX_USER_ID": world.bot_id, "POLICYBOT_MATRIX_PASSWORD": PASSWORD,
               "POLICYBOT_SLACK_BOT_TOKEN": slack.bot_token,
               "POLICYBOT_SLACK_APP_TOKEN": slack.app_token,
               "POLICYBOT_SLACK_API_URL": slack.api_url}
        with Serving(env) as bot:
            bot.wait_ready(lambda: slack.connected, "policybot run to start")
            ivy = world.person("ivy")
            room = joined_room(world, ivy, direct=True)
            ivy.send(room, QUESTION)
            slack.say("D1", "UANA", QUESTION, channel_type="im")
            notice = ivy.wait_notices(room, world.bot_id)[0]
            wait_until(lambda: slack.posts("D1"), what="the Slack answer")
            assert bot.stop() == 0, bot.stderr
    assert "[1]" in notice.content["body"] and bot.stdout == ""
    assert (Path(cli_env["POLICYBOT_DATA_DIR"]) / "matrix" / "session.json").exists()
