"""The platform-neutral bot: a message in, a reply out. Adapters only translate."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import errors
from bot.answering import Answerer, AnswerSource
from bot.chat_models import make_chat_model
from bot.commands import HELP, MAX_MESSAGE_CHARS, parse
from bot.conversation import Answer, Question
from bot.generation import GeneratedAnswerer
from bot.memory import ThreadMemory
from bot.render import answer_text, refresh_text, sources_text
from bot.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.refresh import Progress, RefreshBusy, RefreshFailed
from knowledge.retrieval import EmptyKnowledgeBase
from knowledge.store import StoreError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    text: str  # plain-text rendering, always present
    answer: Answer | None = None  # set when the reply answers a question


def make_answerer(settings: Settings, knowledge: KnowledgeBase) -> AnswerSource:
    spec = settings.chat_model()
    if spec is None:
        return Answerer(knowledge.retriever)
    model = make_chat_model(spec, settings.llm_base_url, settings.llm_api_key,
                            settings.llm_timeout)
    return GeneratedAnswerer(knowledge.retriever, model, settings.prompts_dir,
                             secrets=settings.secrets())


class Assistant:
    def __init__(self, knowledge: KnowledgeBase, admins: frozenset[str] = frozenset(),
                 answerer: AnswerSource | None = None,
                 memory: ThreadMemory | None = None) -> None:
        self.knowledge = knowledge
        self.admins = admins
        self.answerer = answerer or Answerer(knowledge.retriever)
        self.memory = memory or ThreadMemory()

    @classmethod
    def from_settings(cls, settings: Settings, knowledge: KnowledgeBase) -> Assistant:
        return cls(knowledge, frozenset(settings.admins), make_answerer(settings, knowledge))

    def is_admin(self, user: str, platform: str) -> bool:
        # Whoever sits at the terminal owns the data dir already.
        return platform == "terminal" or user in self.admins

    def handle(self, text: str, user: str = "", platform: str = "terminal",
               progress: Progress | None = None, thread: str = "") -> Reply:
        """`thread` names the conversation whose earlier turns explain a follow-up."""
        if len(text) > MAX_MESSAGE_CHARS:
            return Reply(f"That message is too long for me ({len(text):,} characters; the "
                         f"limit is {MAX_MESSAGE_CHARS:,}). Please ask a shorter question.")
        command = parse(text)
        if command.name in {"help", "empty"}:
            return Reply(HELP)
        if command.name == "sources":
            return Reply(self.sources())
        if command.name == "refresh":
            if not self.is_admin(user, platform):
                return Reply("Sorry, only admins can refresh the knowledge base.")
            return Reply(self.refresh(progress))
        answer = self.ask(Question(command.argument, user=user, platform=platform), thread)
        return Reply(answer_text(answer), answer)

    def ask(self, question: Question, thread: str = "") -> Answer:
        history = self.memory.history(thread) if thread else ()
        try:
            answer = self.answerer.answer(question, history)
        except EmptyKnowledgeBase:
            return Answer(question.text, errors.KNOWLEDGE_EMPTY, grounded=False)
        except StoreError:
            log.warning("the vector store failed during a question", exc_info=True)
            return Answer(question.text, errors.STORE_DOWN, grounded=False)
        except Exception:
            log.exception("answering failed for a question on %s", question.platform)
            return Answer(question.text, errors.ANSWER_FAILED, grounded=False)
        if thread:
            self.memory.add(thread, question.text, answer.text)
        return answer

    def sources(self) -> str:
        try:
            return sources_text(self.knowledge.state_file.current())
        except Exception:
            log.exception("reading the knowledge state failed")
            return errors.STORE_DOWN

    def refresh(self, progress: Progress | None = None) -> str:
        try:
            return refresh_text(self.knowledge.refresher.refresh(progress))
        except RefreshBusy:
            return "A refresh is already running; try again when it has finished."
        except RefreshFailed as error:
            log.warning("refresh failed: %s", error)
            return f"Refresh failed, the knowledge base is unchanged: {error}"
        except Exception:
            log.exception("refresh failed")
            return "Refresh failed, the knowledge base is unchanged. The details are in the log."
