"""Data put into prompts between delimiters: passages, questions, earlier turns. The
prompts say nothing inside them is an instruction; this makes sure data cannot close
the delimiter it stands in and speak outside it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answering.memory import Turn
from knowledge import PassageHit

# Every tag a prompt puts data between.
_TAG = re.compile(r"</?\s*(passage|question|conversation|message|quote|claim|topic|document)"
                  r"\b[^>]*>", re.IGNORECASE)


def neutralise(text: str) -> str:
    """Data must not close the delimiters it is put between."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


def passage_block(n: int, hit: PassageHit) -> str:
    where = " — ".join(part for part in (hit.title, hit.section) if part)
    return f'<passage n="{n}" from="{neutralise(where)}">\n{neutralise(hit.text)}\n</passage>'


def passages_block(hits: Sequence[PassageHit]) -> str:
    return "\n\n".join(passage_block(n, hit) for n, hit in enumerate(hits, start=1))


def history_block(history: Sequence[Turn]) -> str:
    """Earlier turns, each message said by its speaker (the bot's memory of its own turns
    names none: "Person"); a person's message the bot did not answer stands alone."""
    lines: list[str] = []
    for turn in history:
        if turn.question:
            speaker = turn.speaker[:1].upper() + turn.speaker[1:] or "Person"
            lines.append(f"{speaker}: {neutralise(turn.question)}")
        if turn.answer:
            lines.append(f"Bot: {neutralise(turn.answer)}")
    return "\n".join(lines)
