"""Matrix room events (in the shapes a homeserver delivers, kept in tests/data/matrix/)
parsed into typed messages, and who a message is for."""

from __future__ import annotations

import json
from pathlib import Path

from bot.adapters.matrix.events import RoomMessage, parse_message

DATA = Path(__file__).parent / "data" / "matrix"
BOT = "@policybot:example.org"
ROOM = "!room:example.org"


def message(name: str) -> RoomMessage | None:
    return parse_message(ROOM, json.loads((DATA / f"{name}.json").read_text("utf-8")))


def parsed(content: dict[str, object]) -> RoomMessage:
    found = parse_message(ROOM, {"event_id": "$e", "sender": "@ana:example.org",
                                 "origin_server_ts": 1, "content": content})
    assert found is not None
    return found


def test_a_mention_by_pill() -> None:
    found = message("mention_pill")
    assert found is not None
    assert (found.event_id, found.sender, found.msgtype, found.timestamp_ms) == (
        "$mention1", "@ana:example.org", "m.text", 1764370000000)
    assert found.mentioned == (BOT,) and found.addresses(BOT, "policybot")
    assert found.question(BOT, "policybot") == "Wer stellt die Rechenleistung bereit?"
    assert found.thread_root is None and found.reply_to is None and not found.is_edit


def test_a_message_in_a_thread_and_a_reply() -> None:
    threaded = message("thread_message")
    assert threaded is not None and threaded.thread_root == "$root1"
    # In a thread, m.in_reply_to marked is_falling_back is only there for clients without
    # threads: the message replies to nothing; unmarked, it is a reply in the thread.
    assert threaded.reply_to is None
    quoting = message("thread_reply")
    assert quoting is not None and quoting.thread_root == "$root1"
    assert quoting.reply_to == "$answer1"
    reply = message("reply_with_fallback")
    assert reply is not None and reply.reply_to == "$answer1" and reply.thread_root is None
    assert reply.body == "Why is that?"  # the quoted fallback is not the question
    # The quoted fallback names the bot; the body as read does not.
    assert not parsed({"body": "> <@policybot:example.org> an old answer\n\nthanks"}
                      ).addresses(BOT, "")


def test_edits_notices_and_broken_events() -> None:
    edit = message("edit")
    assert edit is not None and edit.is_edit
    notice = message("notice")
    assert notice is not None and notice.msgtype == "m.notice"
    assert message("no_content") is None
    assert parse_message(ROOM, {"event_id": "$x", "sender": "@a:b", "content": "text"}) is None


def test_a_message_is_for_the_bot_by_mentions_pill_id_or_name() -> None:
    assert parsed({"body": "hi", "m.mentions": {"user_ids": [BOT]}}).addresses(BOT, "")
    assert parsed({"body": "policybot: hi", "formatted_body":
                   '<a href="https://matrix.to/#/@policybot:example.org">policybot</a>: hi'}
                  ).addresses(BOT, "")
    assert parsed({"body": f"{BOT} what is this?"}).addresses(BOT, "")
    assert parsed({"body": "Policy Bot, what is this?"}).addresses(BOT, "Policy Bot")
    assert not parsed({"body": "policybots are everywhere"}).addresses(BOT, "policybot")
    assert not parsed({"body": "hi", "m.mentions": {"user_ids": "not a list"}}).addresses(
        BOT, "")


def test_question_text_takes_out_the_name_and_reply_fallback() -> None:
    assert parsed({"body": f"{BOT}: Wer stellt die Rechenleistung bereit?"}).question(
        BOT, "policybot") == "Wer stellt die Rechenleistung bereit?"
    assert parsed({"body": "policybot, refresh"}).question(BOT, "policybot") == "refresh"
    assert parsed({"body": "> <@ana:x> earlier\n> more\n\nAnd now?"}).question(BOT, "") == \
        "And now?"
