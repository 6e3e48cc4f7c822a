"""Whether a question in a conversation goes on from what was said before it, and if it
does, the search words the conversation lends it.

A question that does not point back is asked alone. After a question on the essay, "What is
the capital of Australia?" was searched with the essay's topic and answered with three
essay citations. Pointing back takes more than a word German uses everywhere: "das" and
"sie" are articles and pronouns of any sentence; only standing for something said ("Was
bedeutet das?", not "das Budget") do they point back. Words that often do not point back
("that" joining a clause, "it" in "is it allowed") count only where they stand for
something.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answering.memory import Turn

# Words that stand for something said before: pronouns, "instead", German pronominal
# adverbs ("dazu", "darüber") and "er".
_BACK_WORDS = re.compile(
    r"\b(?:this|these|those|they|them|their|he|she|him|his|her|instead|"
    r"dies|diese[rsmn]?|dazu|darüber|davon|dafür|dagegen|damit|daran|darauf|dabei|"
    r"er|ihm|ihn|stattdessen|seine[rsmn]?|ihre[rsmn]?)\b", re.IGNORECASE)
# "that" as a pronoun: after a preposition or an auxiliary ("about that", "does that
# apply"), or ending the question; not joining a clause ("the law that regulates").
_THAT = re.compile(r"\b(?:about|of|on|for|with|to|in|from|than|like|does|did|do|is|was|"
                   r"are|were|will|would|can|could|should|has|have)\s+that\b|\bthat\s*[?.!,]"
                   r"|^\s*that\b", re.IGNORECASE)
# "it" unless it is the empty subject of "is it allowed", "it is possible".
_IT = re.compile(r"\bits?\b(?!\s+(?:is\s+|'s\s+|was\s+)?(?:allowed|possible|necessary|"
                 r"true|legal|illegal|required|mandatory|permitted|forbidden|prohibited|"
                 r"enough|okay|ok)\b)", re.IGNORECASE)
# German's everyday words, pronouns only where no noun follows (German writes nouns with
# a capital): "Was bedeutet das?", "Gilt das für Behörden?", "Was fordert sie?".
_GERMAN_PRONOUN = re.compile(r"\b(?:das|sie)\b(?!\s+[A-ZÄÖÜ])")
# A question that opens by going on: "And Article 15?", "What about DORA?", "Und was ...".
_GOES_ON = re.compile(r"^\s*(?:and|also|what about|how about|und|auch|was ist mit|"
                      r"wie ist es mit|wie sieht es mit)\b", re.IGNORECASE)


def stands_for_something(question: str) -> bool:
    """Whether a word of the question stands for something said before ("what does he
    propose instead?"): without the conversation it has no topic of its own."""
    return any(pattern.search(question) for pattern in
               (_BACK_WORDS, _THAT, _IT, _GERMAN_PRONOUN))


def points_back(question: str) -> bool:
    """Whether the question needs what was said before it to be understood: it stands
    for something said, or it goes on ("And Article 14(2)?", whose act the thread
    named)."""
    return bool(_GOES_ON.search(question)) or stands_for_something(question)


def conversation_for(question: str, history: Sequence[Turn]) -> tuple[Turn, ...]:
    """The turns a question is understood with: all of them where it points back, none
    where it does not (it is asked alone)."""
    return tuple(history) if points_back(question) else ()


def follow_up_query(question: str, history: Sequence[Turn]) -> str:
    """Without a model to rewrite a follow-up, what was said last lends it its topic: the
    people's messages since the bot's answer before last (a thread read back holds each
    person's message as a turn of its own; the one just before "about that?" may be
    chatter, the topic a message earlier)."""
    answered = [n for n, turn in enumerate(history) if turn.answer]
    if history and history[-1].answer:
        answered = answered[:-1]
    start = answered[-1] + 1 if answered else 0
    said = " ".join(turn.question for turn in history[start:] if turn.question)
    return f"{said} {question}" if said else question
