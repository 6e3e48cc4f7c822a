"""Matrix: 👍/👎 reactions on the bot's answers are feedback, recorded in the same JSON
Lines file as Slack's buttons, only from people the bot serves. Against a real Synapse
(tests/test_matrix.py's world), the file read as it is written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.matrix.adapter import MatrixAdapter
from bot.adapters.matrix.reactions import Reaction, parse_reaction
from bot.serving.feedback import FeedbackLog
from testing.slack_server import wait_until
from tests.test_matrix import QUESTION, World, joined_room, world

__all__ = ["world"]  # the fixture, shared with tests/test_matrix.py


@pytest.fixture
def feedback(tmp_path: Path) -> FeedbackLog:
    return FeedbackLog(tmp_path / "feedback.jsonl")


def start_bot(world: World, feedback: FeedbackLog, **options: Any) -> MatrixAdapter:
    """world.start_bot, with the feedback file `policybot run` hands the adapter."""
    return world.start_bot(feedback=feedback, **options)


def records(feedback: FeedbackLog) -> list[dict[str, Any]]:
    """The file's lines, as a reader of it sees them."""
    if not feedback.path.exists():
        return []
    return [json.loads(line) for line in feedback.path.read_text("utf-8").splitlines()]


def recorded(feedback: FeedbackLog, count: int) -> list[dict[str, Any]]:
    """The records once there are `count`."""
    wait_until(lambda: len(records(feedback)) >= count, timeout=30,
               what=f"{count} feedback record(s)")
    return records(feedback)


def settled(world: World, feedback: FeedbackLog, count: int) -> list[dict[str, Any]]:
    """The records once there are `count` and the bot has stopped: stopping lets every
    write in progress finish, so a record that should not be there cannot come late."""
    recorded(feedback, count)
    world.stop_bot()
    return records(feedback)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
@pytest.mark.e2e
def test_a_thumbs_up_on_an_answer_is_recorded(world: World, feedback: FeedbackLog,
                                             encrypted: bool) -> None:
    start_bot(world, feedback)
    ana = world.person("ana")
    room = joined_room(world, ana, encrypted=encrypted)
    ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    answer = ana.wait_notices(room, world.bot_id)[0]
    ana.react(room, answer.event_id, "👍", encrypted=encrypted)
    (vote,) = settled(world, feedback, 1)
    assert vote["platform"] == "matrix" and vote["vote"] == "up"
    assert vote["user"] == ana.user_id
    assert vote["conversation"] == room and vote["message"] == answer.event_id
    assert vote["question"] == QUESTION
    assert "Rechenleistung" in vote["answer"] and vote["cited"]
    assert FeedbackLog(feedback.path).read()[0].vote == "up"  # the Slack reader's type


@pytest.mark.e2e
def test_a_thumbs_down_after_it_is_a_new_line(world: World, feedback: FeedbackLog) -> None:
    start_bot(world, feedback)
    ana = world.person("ana")
    room = joined_room(world, ana)
    ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    answer = ana.wait_notices(room, world.bot_id)[0]
    ana.react(room, answer.event_id, "👍")
    recorded(feedback, 1)
    ana.react(room, answer.event_id, "👎")
    up, down = settled(world, feedback, 2)
    assert (up["vote"], down["vote"]) == ("up", "down")
    assert up["message"] == down["message"] == answer.event_id
    assert up["user"] == down["user"] == ana.user_id


@pytest.mark.e2e
def test_a_reaction_from_someone_the_bot_does_not_serve_is_not_recorded(
        world: World, feedback: FeedbackLog) -> None:
    ana, bob = world.person("ana"), world.person("bob")
    start_bot(world, feedback, allowed_users=(ana.user_id,))
    room = ana.create_room([world.bot_id, bob.user_id])
    ana.wait_member(room, world.bot_id)
    bob.join(room)
    ana.wait_member(room, bob.user_id)
    ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    answer = ana.wait_notices(room, world.bot_id)[0]
    wait_until(lambda: any(s.event_id == answer.event_id for s in bob.seen),
               what="bob sees the answer")
    bob.react(room, answer.event_id, "👎")
    ana.react(room, answer.event_id, "👍")  # control: after bob's, and recorded
    (vote,) = settled(world, feedback, 1)
    assert vote["user"] == ana.user_id and vote["vote"] == "up"


@pytest.mark.e2e
def test_a_reaction_on_what_is_not_an_answer_is_not_recorded(
        world: World, feedback: FeedbackLog) -> None:
    start_bot(world, feedback)
    ana = world.person("ana")
    room = joined_room(world, ana)
    question = ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    answer = ana.wait_notices(room, world.bot_id)[0]
    ana.send(room, f"{world.bot_id}: sources", mention=world.bot_id)
    listing = ana.wait_notices(room, world.bot_id, 2)[1]  # the bot's, but not an answer
    ana.react(room, question, "👍")
    ana.react(room, listing.event_id, "👍")
    ana.react(room, answer.event_id, "👎")  # control: after the others, and recorded
    (vote,) = settled(world, feedback, 1)
    assert vote["message"] == answer.event_id and vote["vote"] == "down"


@pytest.mark.e2e
def test_a_reaction_with_another_key_is_ignored(world: World,
                                                 feedback: FeedbackLog) -> None:
    start_bot(world, feedback)
    ana = world.person("ana")
    room = joined_room(world, ana)
    ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    answer = ana.wait_notices(room, world.bot_id)[0]
    ana.react(room, answer.event_id, "🎉")
    ana.react(room, answer.event_id, "👎🏽")  # control: a thumb of another skin tone
    (vote,) = settled(world, feedback, 1)
    assert vote["vote"] == "down"


def reaction(key: object, rel_type: str = "m.annotation") -> dict[str, Any]:
    return {"event_id": "$r", "sender": "@ana:x", "type": "m.reaction",
            "content": {"m.relates_to": {"rel_type": rel_type, "event_id": "$a", "key": key}}}


def test_only_a_thumb_is_a_vote() -> None:
    for key in ("👍", "👍️", "👍🏻", "+1"):
        assert parse_reaction(reaction(key)) == Reaction("$r", "@ana:x", "$a", "up")
    for key in ("👎", "👎️", "👎🏿", "-1"):
        assert parse_reaction(reaction(key)) == Reaction("$r", "@ana:x", "$a", "down")
    others: tuple[object, ...] = ("🎉", "👍👎", "", "\ufe0f", 1, None)
    for other in others:
        assert parse_reaction(reaction(other)) is None
    assert parse_reaction(reaction("👍", rel_type="m.reference")) is None
    assert parse_reaction({"event_id": "$r", "sender": "@ana:x", "content": []}) is None
