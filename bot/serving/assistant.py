"""The platform-neutral bot: a message in, a reply out. Adapters only translate."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot import errors
from bot.answering.answers import Answer, Question
from bot.answering.chat_models import make_chat_model
from bot.answering.checking import MAX_CLAIMS, ClaimJudge, check_claims, claims_of
from bot.answering.comparing import PositionWriter, compare_sources
from bot.answering.extractive import Answerer, AnswerSource
from bot.answering.generation import MODEL_FAILED, MODEL_GARBLED, GeneratedAnswerer
from bot.answering.memory import ThreadMemory, ThreadMessage, turns_of
from bot.answering.redaction import Redactor
from bot.serving.changes import Changes
from bot.serving.commands import (
    MAX_MESSAGE_CHARS,
    CommandName,
    Reply,
    Request,
    help_text,
)
from bot.serving.digest import seen_summary
from bot.serving.help_examples import HelpExamples
from bot.serving.metrics import Metrics, QuestionOutcome
from bot.serving.render import (
    answer_text,
    check_text,
    comparison_text,
    refresh_text,
    sources_text,
)
from bot.serving.settings import Settings
from knowledge import (
    EmptyKnowledgeBase,
    KnowledgeBase,
    Progress,
    RefreshBusy,
    RefreshFailed,
    RefreshSummary,
    StoreError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

ALL_HERE = ("(These are this channel's. `sources all` lists every channel's documents in a "
            "direct message with me, or with /policybot sources all.)")

# Answers that fell back to quoting because the model failed (an uncited reply is not a
# failure of the model's service, so MODEL_UNCITED is not counted).
MODEL_FAILURES = {MODEL_FAILED, MODEL_GARBLED}


@dataclass(frozen=True)
class Tools:
    """What answers questions, and with a model configured, what states positions and
    judges claims."""

    answerer: AnswerSource
    positions: PositionWriter | None = None
    verdicts: ClaimJudge | None = None
    # Claims a check reads (POLICYBOT_CHECK_MAX_CLAIMS): with a model, one call each.
    max_claims: int = MAX_CLAIMS

    @property
    def model(self) -> bool:
        return self.verdicts is not None or self.positions is not None


def make_tools(settings: Settings, knowledge: KnowledgeBase) -> Tools:
    spec = settings.chat_model()
    if spec is None:
        return Tools(Answerer(knowledge.retriever), max_claims=settings.check_max_claims)
    model = make_chat_model(spec, settings.llm_base_url, settings.llm_api_key,
                            settings.llm_timeout)
    return Tools(GeneratedAnswerer(knowledge.retriever, model, settings.prompts_dir,
                                   secrets=settings.secrets()),
                 PositionWriter(model, settings.prompts_dir),
                 ClaimJudge(model, settings.prompts_dir), settings.check_max_claims)


class Assistant:
    def __init__(self, knowledge: KnowledgeBase, admins: frozenset[str] = frozenset(),
                 answerer: AnswerSource | None = None,
                 memory: ThreadMemory | None = None, metrics: Metrics | None = None,
                 secrets: Sequence[str] = (), tools: Tools | None = None,
                 scopes: Mapping[str, frozenset[str]] | None = None) -> None:
        self.knowledge = knowledge
        # POLICYBOT_SCOPES: what each channel, room (or, in direct messages, person) sees.
        self.scopes: Mapping[str, frozenset[str]] = scopes if scopes is not None else {}
        self.redact = Redactor(secrets)
        self.admins = admins
        self.tools = tools or Tools(answerer or Answerer(knowledge.retriever))
        self.memory = memory or ThreadMemory()
        self.metrics = metrics or Metrics()
        self.metrics.count_passages(lambda: knowledge.state_file.current().passage_count)
        self.examples = HelpExamples(knowledge)
        self.changes = Changes(knowledge, self.metrics)
        # Called after each refresh that ran (how: "scheduled", "by command"), from the
        # thread that ran it: the digest (bot/serving/schedule.py) listens here.
        self.refreshed: list[Callable[[RefreshSummary, str], None]] = []

    @classmethod
    def from_settings(cls, settings: Settings, knowledge: KnowledgeBase) -> Assistant:
        return cls(knowledge, frozenset(settings.admins), secrets=settings.secrets(),
                   tools=make_tools(settings, knowledge), scopes=settings.scope_map())

    def scopes_of(self, request: Request) -> frozenset[str] | None:
        """The scopes of the place a request comes from: a channel's or room's, in a
        direct message the person's; None (everything) at the terminal, whose user owns
        the data dir."""
        if request.platform == "terminal":
            return None
        return self.scopes.get(request.user if request.direct else request.place,
                               frozenset())

    def help_text(self, wait: bool = True) -> str:
        """`help`, with examples from the knowledge base that work as typed; not
        `wait`ing for them (a Slack acknowledgement has 3 s), without until they are
        made."""
        examples = self.examples.current(wait)
        # Headings and sentences of the sources: a secret in a source stays out here too.
        return self.redact(help_text(examples.question, examples.topic, examples.claim))

    def cost(self, request: Request) -> int:
        """Searches and model calls a request will take (Workers count work in them): a
        question 1, 3 with a model (condense, answer); compare 1, 4 with a model (the
        topic translated, the positions, their quotes translated); a check 1 per claim,
        with a model 2 per claim and 1 for the translated quotes."""
        command, model = request.command, self.tools.model
        if command.name == "check":
            claims = len(claims_of(command.argument or request.quoted, self.tools.max_claims))
            return max(1, claims * (2 if model else 1) + (1 if model else 0))
        if command.name == "compare":
            return 4 if model else 1
        if command.name == "ask":
            return 3 if model else 1
        return 1

    def is_admin(self, user: str, platform: str) -> bool:
        # Whoever sits at the terminal owns the data dir already.
        return platform == "terminal" or user in self.admins

    def report_error(self, kind: str) -> None:
        """Count a failure an adapter met (kind: platform, ...)."""
        self.metrics.error(kind)

    def handle(self, request: Request, progress: Progress | None = None) -> Reply:
        command = request.command
        if command.name == "too_long":
            return Reply(command.name, f"That message is too long for me "
                         f"({int(command.argument):,} characters; the limit is "
                         f"{MAX_MESSAGE_CHARS:,}). Please ask a shorter question.")
        if command.name in {"help", "empty"}:
            return Reply(command.name, self.help_text())
        scopes = self.scopes_of(request)
        if command.name == "sources":
            if command.argument != "all" or not self.is_admin(request.user, request.platform):
                return Reply(command.name, self.redact(self.sources(scopes)))
            if request.direct or request.private or request.platform == "terminal":
                return Reply(command.name, self.redact(self.sources(None)))
            # Every channel's documents are not listed where the whole channel reads.
            return Reply(command.name, self.redact(self.sources(scopes)) + "\n" + ALL_HERE)
        if command.name == "refresh":
            if not self.is_admin(request.user, request.platform):
                return Reply(command.name, errors.ADMINS_ONLY)
            return Reply(command.name, self.refresh(progress, scopes=scopes))
        if command.name in {"add", "remove"}:
            if not self.is_admin(request.user, request.platform):
                return Reply(command.name, errors.ADMINS_ONLY_CHANGE)
            return Reply(command.name, self.redact(self.changes.run(request, scopes)))
        if command.name == "compare":
            return self.compare(command.argument, scopes)
        if command.name == "check":
            return self.check(command.argument or request.quoted, scopes)
        answer = self.ask(Question(command.argument, user=request.user,
                                   platform=request.platform, scopes=scopes),
                          request.thread, request.context, request)
        return Reply(command.name, answer_text(answer), answer)

    def remembered(self, thread: str) -> tuple[str, ...]:
        """The marks of the turns the bot remembers of a thread."""
        return self.memory.marks(thread)

    def forget(self, mark: str) -> None:
        """A message was deleted on its platform: its turn is no longer remembered."""
        if self.memory.forget(mark):
            log.info("forgot a remembered turn whose message was deleted")

    def compare(self, topic: str, scopes: frozenset[str] | None = None) -> Reply:
        if not topic.strip():
            return Reply("compare", "Give a topic to compare the sources on: compare TOPIC.")
        comparison = self._guarded("compare", lambda: compare_sources(
            self.knowledge.retriever.scoped(scopes), topic,
            self.tools.positions).redacted(self.redact))
        if isinstance(comparison, Reply):
            return comparison
        return Reply("compare", comparison_text(comparison), comparison=comparison)

    def check(self, text: str, scopes: frozenset[str] | None = None) -> Reply:
        if not text.strip():
            return Reply("check", "Give a claim to check against the sources: check CLAIM "
                         "(or reply to a message with check).")
        result = self._guarded("check", lambda: check_claims(
            self.knowledge.retriever.scoped(scopes), text, self.tools.verdicts,
            self.tools.max_claims).redacted(self.redact))
        if isinstance(result, Reply):
            return result
        return Reply("check", check_text(result), check=result)

    def _guarded(self, name: CommandName, work: Callable[[], T]) -> T | Reply:
        """The work's result, or the reply that says plainly why there is none."""
        try:
            return work()
        except EmptyKnowledgeBase:
            return Reply(name, errors.KNOWLEDGE_EMPTY)
        except StoreError:
            log.warning("the vector store failed during %s", name, exc_info=True)
            self.metrics.error("store")
            return Reply(name, errors.STORE_DOWN)
        except Exception:
            log.exception("%s failed", name)
            self.metrics.error("answer")
            return Reply(name, errors.ANSWER_FAILED)

    def ask(self, question: Question, thread: str = "",
            context: Sequence[ThreadMessage] = (), request: Request | None = None) -> Answer:
        started = time.perf_counter()
        answer, outcome = self._answer(question, thread, context, request or Request.of(""))
        answer = self.redact.answer(answer)
        self.metrics.question(question.platform, outcome, time.perf_counter() - started)
        return answer

    def _answer(self, question: Question, thread: str, context: Sequence[ThreadMessage],
                request: Request) -> tuple[Answer, QuestionOutcome]:
        # The platform's thread holds what others said too; the bot's memory only its turns,
        # and of those only what the asker could read (request.seen).
        history = turns_of(context, request.user) if context else \
            self.memory.history(thread, request.seen) if thread else ()
        try:
            answer = self.tools.answerer.answer(question, history)
        except EmptyKnowledgeBase:
            return Answer(question.text, errors.KNOWLEDGE_EMPTY, grounded=False), "failed"
        except StoreError:
            log.warning("the vector store failed during a question", exc_info=True)
            self.metrics.error("store")
            return Answer(question.text, errors.STORE_DOWN, grounded=False), "failed"
        except Exception:
            log.exception("answering failed for a question on %s", question.platform)
            self.metrics.error("answer")
            return Answer(question.text, errors.ANSWER_FAILED, grounded=False), "failed"
        if answer.note in MODEL_FAILURES:
            self.metrics.error("model")
        if thread and answer.grounded:
            # A refusal lends a later follow-up no topic: "And what does he propose
            # instead?" after an off-topic question goes on from the last one answered.
            self.memory.add(thread, question.text, answer.text, request.event)
        return answer, "answered" if answer.grounded else "refused"

    def sources(self, scopes: frozenset[str] | None = None) -> str:
        """The documents a place with these scopes sees (None: all)."""
        try:
            return sources_text(self.knowledge.state_file.current().visible(scopes),
                                self.knowledge.added_documents())
        except Exception:
            log.exception("reading the knowledge state failed")
            return errors.STORE_DOWN

    def refresh(self, progress: Progress | None = None, how: str = "by command",
                scopes: frozenset[str] | None = None) -> str:
        """A refresh, and its summary as a place with these scopes may read it."""
        try:
            summary = self.knowledge.refresh(progress)
        except RefreshBusy:
            self.metrics.refresh("busy")
            return errors.REFRESH_BUSY
        except RefreshFailed as error:
            log.warning("%s", error)
            self._refresh_failed()
            return f"Refresh failed, the knowledge base is unchanged: {error.reason}"
        except Exception:
            log.exception("refresh failed")
            self._refresh_failed()
            return "Refresh failed, the knowledge base is unchanged. The details are in the log."
        self.metrics.refresh("done", summary.seconds)
        for listener in list(self.refreshed):
            try:
                listener(summary, how)
            except Exception:  # the refresh is done; telling of it must not undo that
                log.exception("a refresh listener failed")
        return refresh_text(seen_summary(summary, self.knowledge.state_file.current(),
                                         scopes))

    def _refresh_failed(self) -> None:
        self.metrics.refresh("failed")
        self.metrics.error("refresh")
