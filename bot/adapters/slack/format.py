"""Slack's text formats: mrkdwn in (questions), Block Kit out (answers).

Slack rejects a message whose section text exceeds 3,000 characters or that has more
than 50 blocks, so answers are split and, if they still do not fit, cut with a note.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from bot.answering.answers import Answer, Citation
from bot.answering.checking import CheckResult
from bot.answering.comparing import ComparisonAnswer
from bot.serving.render import (
    answer_text,
    check_text,
    comparison_text,
    cut,
    locator,
    marked_passage,
    translation_line,
)

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
TEXT_LIMIT = 3000  # the notification fallback; Slack shows blocks, not this
BUTTON_VALUE_LIMIT = 2000
CUT_NOTE = "The answer was cut to fit Slack's message limits."
LABEL_LIMIT = 300  # a citation's place, shown as the link's label

_SAFE_URL = re.compile(r"https?://[^\s<>|]+")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")
FEEDBACK_ACTIONS: dict[str, Literal["up", "down"]] = {"feedback_up": "up",
                                                      "feedback_down": "down"}

Block = dict[str, Any]

@dataclass(frozen=True)
class SlackMessage:
    text: str
    blocks: list[Block] | None = None


def escape(text: str) -> str:
    """Plain text made safe for mrkdwn: Slack reads <, > and & as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, broken at paragraphs, lines or spaces."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        at = max(window.rfind("\n\n"), window.rfind("\n"))
        if at < limit // 2:
            at = window.rfind(" ")
        if at < limit // 2:
            at = limit  # one unbroken word: cut it
        pieces.append(rest[:at].rstrip())
        rest = rest[at:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_LIMIT)}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, 3000)}]}


def safe_url(url: str) -> str:
    """The URL if it can stand in `<url|label>` markup as one link, else "": a manifest
    link holding `|`, `>` or white space once broke out of it."""
    return url if _SAFE_URL.fullmatch(url) else ""


def cut_escaped(text: str, limit: int) -> str:
    """Escaped text cut to `limit` without leaving half an entity (`&am…`)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return _PARTIAL_ENTITY.sub("", escaped[: limit - 1]).rstrip() + "…"


def citation_block(citation: Citation) -> Block:
    # The label is cut before it goes into the link markup, never the markup itself.
    place = cut_escaped(locator(citation), LABEL_LIMIT)
    url = safe_url(citation.url)
    heading = f"*[{citation.n}]* <{url}|{place}>" if url else f"*[{citation.n}]* {place}"
    room = SECTION_LIMIT - len(heading) - 3
    translation = ""
    if citation.translation:
        translation = "\n_" + cut_escaped(translation_line(citation), room // 3) + "_"
    passage = marked_passage(citation, lambda quote: f"*{quote}*", escape,
                             limit=room - len(translation))
    return section(f"{heading}\n>{passage}{translation}")


def feedback_value(answer: Answer) -> str:
    """What a click must carry to be recorded: the question and the cited passage ids.

    The answer itself comes back with the click (it is the message clicked on).
    """
    ids = [c.id for c in answer.citations]
    for size in (len(answer.question), 1000, 300, 0):
        value = json.dumps({"q": answer.question[:size], "ids": ids}, ensure_ascii=False)
        if len(value) <= BUTTON_VALUE_LIMIT:
            return value
    return json.dumps({"q": "", "ids": []})


def feedback_block(answer: Answer) -> Block:
    value = feedback_value(answer)
    return {"type": "actions", "block_id": "feedback", "elements": [
        {"type": "button", "action_id": "feedback_up", "value": value,
         "text": {"type": "plain_text", "text": "👍", "emoji": True}},
        {"type": "button", "action_id": "feedback_down", "value": value,
         "text": {"type": "plain_text", "text": "👎", "emoji": True}},
    ]}


def answer_message(answer: Answer, asked_by: str = "") -> SlackMessage:
    """The answer with [n] markers, then each citation with its passage, then 👍/👎."""
    head: list[Block] = []
    if asked_by:
        head.append(context(f"<@{escape(asked_by)}> asked: {escape(answer.question)}"))
    tail: list[Block] = []
    if answer.note:
        tail.append(context(f"_{escape(answer.note)}_"))
    tail.extend(citation_block(c) for c in answer.citations)
    if answer.grounded:
        tail.append(feedback_block(answer))
    body = [section(piece) for piece in split_text(escape(answer.text))] or [section(" ")]
    room = BLOCK_LIMIT - len(head) - len(tail)
    if len(body) > room:
        # Citations are what the answer stands on: keep them, shorten the prose.
        room = max(1, room - 1)
        body = [*body[:room], context(f"_{CUT_NOTE}_")]
    blocks = (head + body + tail)[:BLOCK_LIMIT]
    return SlackMessage(cut_escaped(answer_text(answer), TEXT_LIMIT), blocks)


def notice_message(text: str) -> SlackMessage:
    """A command's reply (help, sources, refresh summary) as preformatted text."""
    if "\n" in text:
        return SlackMessage(cut_escaped(text, TEXT_LIMIT),
                            [section(f"```{piece}```") for piece in
                             split_text(escape(text), SECTION_LIMIT - 6)][:BLOCK_LIMIT])
    return SlackMessage(cut_escaped(text, TEXT_LIMIT))


# Positions shown in one chat message; the others are named.
MAX_POSITIONS = 5


def comparison_message(comparison: ComparisonAnswer) -> SlackMessage:
    """A section per document (its title, then each citation with its passage), the
    further ones named, the silent ones in a closing line."""
    shown = comparison.positions[:MAX_POSITIONS]
    topic = escape(comparison.topic)
    blocks: list[Block] = [section(f"*What the sources say about* _{topic}_" if shown else
                                   f"None of the sources says anything about _{topic}_.")]
    for stance in shown:
        blocks.append(section(f"*{cut_escaped(stance.title, LABEL_LIMIT)}*"
                              + (f"\n{escape(stance.summary)}" if stance.summary else "")))
        blocks.extend(citation_block(c) for c in stance.citations)
    rest = comparison.positions[MAX_POSITIONS:]
    if rest:
        blocks.append(context(escape("Also: " + "; ".join(s.title for s in rest))))
    if comparison.agreement:
        blocks.append(section(escape(comparison.agreement)))
    if comparison.silent and shown:
        blocks.append(context(escape("Silent: " + "; ".join(t for _, t in comparison.silent))))
    text = comparison_text(comparison, most=MAX_POSITIONS)
    return SlackMessage(cut_escaped(text, TEXT_LIMIT), blocks[:BLOCK_LIMIT])


def check_message(result: CheckResult) -> SlackMessage:
    """A section per claim, its closest passages as citations."""
    blocks: list[Block] = [context(f"_{escape(result.note)}_")] if result.claims and \
        result.note else [] if result.claims else \
        [section("I found no statement to check in that text.")]
    for number, claim in enumerate(result.claims, start=1):
        verdict = f" — *{claim.verdict}*" if claim.verdict else ""
        blocks.append(section(f"*Claim {number}:* {cut_escaped(claim.claim, 2000)}{verdict}"))
        if claim.note:
            blocks.append(context(f"_{escape(claim.note)}_"))
        blocks.extend(citation_block(c) for c in claim.citations)
    return SlackMessage(cut_escaped(check_text(result), TEXT_LIMIT), blocks[:BLOCK_LIMIT])
