"""👍 and 👎 reactions on the bot's answers, recorded as feedback like Slack's buttons.

A reaction is a vote when its key is a thumb (any skin tone, with or without the emoji
variation selector; "+1" and "-1" too) and it annotates an answer the bot sent in that
room. The answers sent are remembered in memory only (the last ANSWERS_KEPT), so a vote
on an answer from before a restart is not recorded. A reaction taken back (redacted) is
not recorded either: a Feedback record has no withdrawn vote.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from bot.adapters.matrix.events import Event
from bot.answering.answers import Answer
from bot.serving.feedback import Feedback, FeedbackLog, Vote
from bot.serving.render import answer_text
from bot.serving.seen import SeenKeys

log = logging.getLogger(__name__)

PLATFORM = "matrix"
VOTES: dict[str, Vote] = {"👍": "up", "👎": "down", "+1": "up", "-1": "down"}
# How a thumb is drawn (skin tone, emoji presentation), not what it says.
DRAWING = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]")
# Answers a vote may be cast on; people vote on what they just read.
ANSWERS_KEPT = 1000


@dataclass(frozen=True)
class Reaction:
    """A thumb up or down on an event."""

    event_id: str
    sender: str
    reacts_to: str
    vote: Vote


def parse_reaction(event: Event) -> Reaction | None:
    """The vote an m.reaction event casts; None for another key or a malformed event."""
    content = event.get("content")
    relation = content.get("m.relates_to") if isinstance(content, Mapping) else None
    if not isinstance(relation, Mapping) or relation.get("rel_type") != "m.annotation":
        return None
    key, target = relation.get("key"), relation.get("event_id")
    event_id, sender = event.get("event_id"), event.get("sender")
    if not all(isinstance(v, str) and v for v in (key, target, event_id, sender)):
        return None
    vote = VOTES.get(DRAWING.sub("", str(key)).strip())
    if vote is None:
        return None
    return Reaction(str(event_id), str(sender), str(target), vote)


@dataclass(frozen=True)
class SentAnswer:
    room_id: str
    question: str
    answer: str  # as posted, in plain text
    cited: tuple[str, ...]  # passage ids of its citations


class SentAnswers:
    """The bot's recent grounded answers by event id, and the reactions counted."""

    def __init__(self, limit: int = ANSWERS_KEPT) -> None:
        self.limit = limit
        self._answers: OrderedDict[str, SentAnswer] = OrderedDict()
        self._counted = SeenKeys(limit * 4)
        # Each person's last vote per answer: a vote the same as their last is not a new
        # record (👍, +1 and a skin tone are one vote, not three).
        self._votes: OrderedDict[tuple[str, str], str] = OrderedDict()

    def remember(self, room_id: str, event_id: str, answer: Answer | None) -> None:
        """Keep what a vote on this event records; only grounded answers get votes."""
        if answer is None or not answer.grounded or not event_id:
            return
        self._answers[event_id] = SentAnswer(room_id, answer.question, answer_text(answer),
                                             tuple(c.id for c in answer.citations))
        while len(self._answers) > self.limit:
            self._answers.popitem(last=False)

    def feedback(self, room_id: str, reaction: Reaction) -> Feedback | None:
        """The record a vote makes; None when it is not on an answer remembered in this
        room, or was counted already."""
        sent = self._answers.get(reaction.reacts_to)
        if sent is None or sent.room_id != room_id:
            return None
        if not self._counted.first(reaction.event_id):
            return None
        voter = (reaction.reacts_to, reaction.sender)
        if self._votes.get(voter) == reaction.vote:
            return None
        self._votes[voter] = reaction.vote
        self._votes.move_to_end(voter)
        while len(self._votes) > self.limit * 4:
            self._votes.popitem(last=False)
        return Feedback(platform=PLATFORM, user=reaction.sender, vote=reaction.vote,
                        question=sent.question, answer=sent.answer, cited=sent.cited,
                        conversation=room_id, message=reaction.reacts_to)


async def record(feedback_log: FeedbackLog, feedback: Feedback) -> None:
    """Append the record off the event loop; a failure is logged, never raised."""
    try:
        await asyncio.to_thread(feedback_log.record, feedback)
    except Exception:
        log.exception("recording Matrix feedback failed")
