"""Chat input parsed once, the same way for every platform, and the reply that says which
command ran. Adapters parse a message into a Request and hand it on; nothing downstream
parses again."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

from bot.answering.answers import Answer
from bot.answering.checking import CheckResult
from bot.answering.comparing import ComparisonAnswer
from bot.answering.memory import ThreadMessage

Rendered = TypeVar("Rendered")
CommandName = Literal["ask", "compare", "check", "refresh", "sources", "help", "empty",
                      "too_long", "add", "remove"]
# Commands that change the knowledge base: admins only, run one at a time off the
# answering threads (see Workers).
CHANGES = {"refresh", "add", "remove"}

def help_text(question: str = "", topic: str = "", claim: str = "") -> str:
    """What the bot understands; with examples from the knowledge base where given (see
    bot/serving/help_examples.py), each one tried before it is shown."""
    def example(text: str) -> list[str]:
        return [f"               e.g. {text}"] if text else []

    return "\n".join([
        "Ask me anything about the sources and I answer with cited passages.",
        "Commands:",
        "  <question>   ask a question (or: ask <question>)",
        *example(question),
        "  compare <topic>",
        "               who says what on a topic, document by document",
        *example(f"compare {topic}" if topic else ""),
        '               (also: "what do the sources say about <topic>?")',
        "  check <claim>",
        "               the closest source passages for each claim in the text",
        "               (with a model: supported, contradicted or not found)",
        *example(f"check {claim}" if claim else ""),
        '               In Slack and Matrix, "check" alone in a thread or a reply',
        "               checks the message replied to or the thread's first message.",
        "  sources      list the documents in the knowledge base",
        "               (sources all: every channel's too, admins only)",
        "  refresh      re-read the sources (admins only)",
        '  add [URL] ["title"]',
        "               add the file attached (or replied to), or a web page,",
        "               to the knowledge base (admins only)",
        "  remove NAME  remove a document added from the chat (admins only)",
        "  help         show this text",
    ])


# Without a knowledge base to take examples from.
HELP = help_text()

REFRESH_STARTED = "Refreshing the knowledge base; I'll post the summary here."

# Chat messages longer than this are refused before any search: nobody asks a question
# that long, and embedding it would only cost time.
MAX_MESSAGE_CHARS = 4000


# Plain phrasings of `compare TOPIC`, English and German.
_COMPARE = re.compile(
    r"^(?:what|which)\s+(?:do|does)\s+(?:the\s+|our\s+)?(?:sources|documents|texts)\s+say"
    r"\s+(?:about|on|regarding)\s+(?P<topic>.+?)[?.!\s]*$"
    r"|^was\s+sagen\s+(?:die\s+|unsere\s+)?(?:quellen|dokumente|texte)\s+(?:zu|zum|zur|über)"
    r"\s+(?P<topic_de>.+?)[?.!\s]*$", re.IGNORECASE)


# A title or a file name is short; a sentence that goes on is a question that happens
# to begin with "add" or "remove" ("Add up the cloud costs: what do they come to?").
MAX_NAME_WORDS = 12


def _a_question(rest: str) -> bool:
    words = [w for w in rest.split()  # a URL's query is no question mark
             if not w.strip("<>").lower().startswith(("http://", "https://"))]
    return any("?" in w for w in words) or len(words) > MAX_NAME_WORDS


@dataclass(frozen=True)
class Command:
    name: CommandName
    argument: str = ""


def parse(text: str) -> Command:
    if len(text) > MAX_MESSAGE_CHARS:
        return Command("too_long", str(len(text)))
    stripped = text.strip()
    bare = stripped.lstrip("/!").strip()
    word, _, rest = bare.partition(" ")
    keyword = word.lower().rstrip(":?!.")
    if not bare:
        return Command("empty")
    if keyword in {"refresh", "sources", "help"} and not rest.strip():
        return Command(keyword)  # type: ignore[arg-type]
    if keyword == "sources" and rest.strip().lower() == "all":
        return Command("sources", "all")  # every scope's (admins)
    if keyword == "ask" and rest.strip():
        return Command("ask", rest.strip())
    if keyword == "ask":
        return Command("empty")
    if keyword == "compare":
        return Command("compare", rest.strip())
    if keyword == "check":
        return Command("check", rest.strip())
    if keyword in {"add", "remove"} and not _a_question(rest):
        return Command(keyword, rest.strip())  # type: ignore[arg-type]
    asked_to_compare = _COMPARE.match(stripped)
    if asked_to_compare:
        topic = asked_to_compare.group("topic") or asked_to_compare.group("topic_de")
        return Command("compare", topic.strip())
    return Command("ask", stripped)


@dataclass(frozen=True)
class Attachment:
    """A file sent with an `add` (or the file an `add` replies to). Its bytes are fetched
    only once the sender is known to be an admin: `fetch(limit)` returns at most `limit`
    bytes, or raises errors.AttachmentError with a plain reason."""

    name: str
    size: int  # as the platform declares it; 0 when it does not
    fetch: Callable[[int], bytes]
    content_type: str = ""


@dataclass(frozen=True)
class AddTarget:
    """What `add` was given: a URL or (at the terminal) a file's path, and a title."""

    url: str = ""
    path: str = ""
    title: str = ""


def add_target(argument: str, attached: bool) -> AddTarget:
    """`add https://... "Title"`, `add FILE "Title"`, or with a file attached `add "Title"`
    (chat apps turn quotes curly: those count too)."""
    text = argument.translate(_QUOTES)
    try:
        words = shlex.split(text)
    except ValueError:  # an unbalanced quote: the words as typed
        words = text.split()
    first = words[0].strip("<>") if words else ""  # a link as chat markup writes it
    if first.lower().startswith(("http://", "https://")):
        return AddTarget(url=first, title=" ".join(words[1:]))
    if attached or not words:
        return AddTarget(title=" ".join(words))
    return AddTarget(path=words[0], title=" ".join(words[1:]))


_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'",
                         "’": "'"})


@dataclass(frozen=True)
class Request:
    """A parsed message: who sent it, from where, in which conversation."""

    command: Command
    user: str = ""
    platform: str = "terminal"
    thread: str = ""  # the conversation whose earlier turns explain a follow-up
    # The thread so far as the platform holds it, when read (called in late, or after a
    # restart); without it the bot's own memory of the thread is used.
    context: tuple[ThreadMessage, ...] = ()
    quoted: str = ""  # the message a bare `check` refers to (replied to, or thread root)
    event: str = ""  # the platform's id of this message: the mark of its turn in memory
    # The marks of remembered turns the asker could read on the platform; None where
    # everyone in a conversation reads all of it (Slack, the terminal).
    seen: frozenset[str] | None = None
    place: str = ""  # the channel or room it was said in
    direct: bool = False  # in a direct conversation with the bot (its scopes: the user's)
    private: bool = False  # the reply is shown to the asker alone (Slack's slash command)
    attachment: Attachment | None = None  # the file an `add` brings
    # Posts a notice in the conversation before the reply (an `add` queued behind a
    # refresh); called from the answering thread.
    tell: Callable[[str], None] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, text: str, user: str = "", platform: str = "terminal", thread: str = "",
           context: tuple[ThreadMessage, ...] = (), quoted: str = "",
           event: str = "", place: str = "", direct: bool = False) -> Request:
        return cls(parse(text), user, platform, thread, context, quoted, event, place=place,
                   direct=direct)


@dataclass(frozen=True)
class Reply:
    command: CommandName  # which command ran
    text: str  # plain-text rendering, always present
    answer: Answer | None = None  # set when the reply answers a question
    comparison: ComparisonAnswer | None = None  # set when it compares the sources
    check: CheckResult | None = None  # set when it checks claims
    silent: bool = False  # nothing to post (the person was told already: see Workers)


@dataclass(frozen=True)
class Formats(Generic[Rendered]):
    """How one platform renders each kind of reply."""

    answer: Callable[[Answer], Rendered]
    comparison: Callable[[ComparisonAnswer], Rendered]
    check: Callable[[CheckResult], Rendered]
    notice: Callable[[str], Rendered]

    def render(self, reply: Reply) -> Rendered:
        if reply.answer is not None:
            return self.answer(reply.answer)
        if reply.comparison is not None:
            return self.comparison(reply.comparison)
        if reply.check is not None:
            return self.check(reply.check)
        return self.notice(reply.text)
