"""Matrix: deny by default, gate invites and answers (also in rooms joined before), and
never answer a room's history from before the bot joined."""

from __future__ import annotations

import pytest

from bot.adapters.matrix.access import Access
from testing.slack_server import wait_until
from tests.test_matrix import QUESTION, World, joined_room, world

__all__ = ["world"]  # the fixture, shared with tests/test_matrix.py

OWN = "policybot.test"


def test_with_no_servers_configured_only_the_bots_own_server_is_served() -> None:
    access = Access(OWN)
    assert access.allows(f"@ana:{OWN}") and not access.allows("@mallory:evil.example")
    assert not access.open_to_all


def test_star_opens_every_server_and_listed_users_override_servers() -> None:
    assert Access(OWN, frozenset({"*"})).allows("@anyone:anywhere.example")
    assert Access(OWN, frozenset({"*"})).open_to_all
    listed = Access(OWN, frozenset({"*"}), frozenset({"@ana:gov.example"}))
    assert listed.allows("@ana:gov.example") and not listed.allows(f"@bob:{OWN}")
    assert Access(OWN, frozenset({"gov.example"})).allows("@x:gov.example")
    assert not Access(OWN, frozenset({"gov.example"})).allows(f"@x:{OWN}")


@pytest.mark.e2e
def test_an_invite_accepted_at_first_start_does_not_answer_the_rooms_history(
        world: World) -> None:
    ana = world.person("ana")
    room = ana.create_room([world.bot_id])  # invited while policybot never ran
    ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    adapter = world.start_bot()
    ana.wait_member(room, world.bot_id)
    wait_until(lambda: adapter.syncs >= 3, what="syncs after the join")
    assert ana.notices(room, world.bot_id) == []
    ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    ana.wait_notices(room, world.bot_id)


@pytest.mark.e2e
def test_only_listed_users_may_invite_the_bot_or_be_answered(world: World) -> None:
    ana, bob = world.person("ana"), world.person("bob")
    adapter = world.start_bot(allowed_users=(ana.user_id,))
    refused = bob.create_room([world.bot_id])
    wait_until(lambda: [s for s in bob.seen if s.room_id == refused
                        and s.sender == world.bot_id
                        and s.content.get("membership") == "leave"], what="the decline")
    room = ana.create_room([world.bot_id, bob.user_id])
    ana.wait_member(room, world.bot_id)
    bob.loop.run(bob.client.join(room))
    bob.wait_member(room, bob.user_id)
    ana.wait_member(room, bob.user_id)
    bob.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    ana.send(room, f"{world.bot_id}: Wer stellt die Rechenleistung bereit?",
             mention=world.bot_id)
    ana.wait_notices(room, world.bot_id)
    wait_until(lambda: adapter.busy == 0, what="answers in progress")
    assert len(ana.notices(room, world.bot_id)) == 1  # ana's; bob got none


@pytest.mark.e2e
def test_a_server_no_longer_allowed_is_not_answered_in_rooms_joined_before(
        world: World) -> None:
    world.start_bot()  # the default: the bot's own server
    ana = world.person("ana")
    room = joined_room(world, ana)
    ana.send(room, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    ana.wait_notices(room, world.bot_id)
    world.stop_bot()
    adapter = world.start_bot(allowed_servers=("trusted.example",))
    ana.send(room, f"{world.bot_id}: Wer stellt die Rechenleistung bereit?",
             mention=world.bot_id)
    wait_until(lambda: adapter.events_handled >= 1, what="the message looked at")
    wait_until(lambda: adapter.busy == 0, what="answers in progress")
    assert len(ana.notices(room, world.bot_id)) == 1

