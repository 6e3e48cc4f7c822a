"""Errors whose message is safe to show to a person in a chat."""

from __future__ import annotations


class UserFacingError(Exception):
    """Short, plain, free of internals; details go to the log, not into this message."""


KNOWLEDGE_EMPTY = (
    "The knowledge base is empty. Run `policybot refresh` (or `refresh` here, as an admin)."
)
STORE_DOWN = "I can't reach the knowledge base right now. Please try again in a moment."
ANSWER_FAILED = "Sorry, something went wrong while answering. The details are in the log."
ADMINS_ONLY = "Sorry, only admins can refresh the knowledge base."


class PlatformStartError(Exception):
    """A chat platform refused the bot at start-up (bad token, unreachable server).

    The message is one line naming what to fix; `policybot run` prints it and exits.
    """
