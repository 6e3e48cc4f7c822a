"""The bot's error root, and the messages a person may see in a chat.

Every error raised on purpose in bot/ derives from PolicybotError (knowledge/ has its own
root, KnowledgeError, since it cannot import bot/): its `str` is one short, plain line a
person may see; the details go to the log. The groups tell the command line how to exit.
"""

from __future__ import annotations


class PolicybotError(Exception):
    """A failure whose message is one plain line, free of internals."""


class ConfigurationError(PolicybotError):
    """Settings, a prompt template or an input file are wrong: fix and start again."""


class PlatformError(PolicybotError):
    """A chat platform refused the bot at start-up (bad token, unreachable server)."""


KNOWLEDGE_EMPTY = (
    "The knowledge base is empty. Run `policybot refresh` (or `refresh` here, as an admin)."
)
STORE_DOWN = "I can't reach the knowledge base right now. Please try again in a moment."
ANSWER_FAILED = "Sorry, something went wrong while answering. The details are in the log."
ADMINS_ONLY = "Sorry, only admins can refresh the knowledge base."
ADMINS_ONLY_CHANGE = "Sorry, only admins can add or remove documents."


class AttachmentError(PolicybotError):
    """A file sent with `add` could not be had from the platform (too big, refused)."""


class AttachmentTooBig(AttachmentError):
    """The file ran past the limit while it came in (the limit is named by the caller)."""
OUTSIDER = "Sorry, I answer only people of this workspace."


def busy(seconds: int) -> str:
    """One reply to a person whose earlier requests are still being worked on."""
    return (f"I'm still working on your earlier requests; please try again in about "
            f"{seconds} s. Until then I'll leave further messages of yours unanswered.")
REFRESH_BUSY = "A refresh is already running; try again when it has finished."
