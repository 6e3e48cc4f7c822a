"""Generated answers: a LangChain chain whose citations are checked, not trusted.

condense (follow-ups become standalone questions) -> retrieve -> answer prompt -> chat
model -> parse and check the [n] markers. Whatever goes wrong with the model, the person
still gets the extractive answer, with a one-line note saying why.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from bot.answering.answers import Answer, Question
from bot.answering.citing import check_citations
from bot.answering.delimiting import history_block, neutralise, passages_block
from bot.answering.extractive import Answerer, cite, extractive_answer, refusal
from bot.answering.follow_up import conversation_for, follow_up_query
from bot.answering.language import question_language
from bot.answering.memory import Turn
from bot.answering.prompts import DEFAULT_PROMPTS_DIR, text_chain
from bot.answering.redaction import Redactor
from bot.answering.translation import QuestionTranslator, Translator
from knowledge import Retrieval, Retriever

log = logging.getLogger(__name__)

MODEL_FAILED = "The language model did not answer, so this answer quotes the sources directly."
MODEL_GARBLED = ("The language model's reply was unusable, so this answer quotes the sources "
                 "directly.")
MODEL_UNCITED = ("The generated answer cited no source, so this answer quotes the sources "
                 "directly.")
MAX_STANDALONE_CHARS = 600


class GeneratedAnswerer:
    def __init__(self, retriever: Retriever, model: BaseChatModel,
                 prompts_dir: Path = DEFAULT_PROMPTS_DIR, secrets: Sequence[str] = (),
                 k: int = 5) -> None:
        self.extractive = Answerer(retriever, k)
        self.redact = Redactor(secrets)
        self.translate = Translator(model, prompts_dir)
        self.translate_question = QuestionTranslator(model, prompts_dir)
        self.condense = text_chain("condense", {"history", "question"}, model, prompts_dir)
        self.generate = text_chain("answer", {"passages", "question", "language"}, model,
                                   prompts_dir)
        self.chain = self._chain()
        self._views: dict[frozenset[str] | None, GeneratedAnswerer] = {}

    def _chain(self) -> Runnable[dict[str, Any], Answer]:
        return (
            RunnablePassthrough.assign(standalone=RunnableLambda(self._standalone))
            | RunnablePassthrough.assign(retrieval=RunnableLambda(self._retrieve))
            | RunnableLambda(self._respond)
        )

    def answer(self, question: Question, history: Sequence[Turn] = ()) -> Answer:
        if question.scopes != self.extractive.retriever.scopes:
            # The same model and chains, searching what the place sees (one per scopes:
            # there are as many as POLICYBOT_SCOPES names sets).
            view = self._views.get(question.scopes)
            if view is None:
                view = copy.copy(self)
                view.extractive = self.extractive.scoped(question.scopes)
                view.chain = view._chain()
                view._views = {}
                self._views[question.scopes] = view
            return view.answer(question, history)
        # A question that does not point back is asked alone: no condensing, no history
        # joined to its search (see follow_up).
        return self.chain.invoke({"question": question.text,
                                  "history": conversation_for(question.text, history)})

    def _standalone(self, inputs: dict[str, Any]) -> str:
        question: str = inputs["question"]
        history: tuple[Turn, ...] = inputs["history"]
        if not history:
            return question
        try:
            rewritten = self.condense.invoke(
                {"history": history_block(history), "question": neutralise(question)})
        except Exception as error:
            log.warning("condensing a follow-up failed (%s): %s", type(error).__name__, error)
            return follow_up_query(question, history)
        line = rewritten.strip().strip('"“”').strip()
        if not line or len(line) > MAX_STANDALONE_CHARS:
            return follow_up_query(question, history)
        log.debug("follow-up %r condensed to %r", question, line)
        return line

    def _retrieve(self, inputs: dict[str, Any]) -> Retrieval:
        standalone: str = inputs["standalone"]
        translations = self.translate_question(standalone,
                                               self.extractive.retriever.languages())
        return self.extractive.retrieve(standalone, inputs["history"], condensed=True,
                                        translations=translations)

    def _respond(self, inputs: dict[str, Any]) -> Answer:
        question: str = inputs["question"]
        retrieval: Retrieval = inputs["retrieval"]
        if not retrieval.relevant or not retrieval.hits:
            return self.extractive.respond(question, retrieval)  # the refusal
        hits = retrieval.hits
        try:
            raw = self.generate.invoke({
                "passages": passages_block(hits),
                "question": neutralise(inputs["standalone"]),
                "language": question_language(question),
            })
        except Exception as error:
            log.warning("the language model failed (%s): %s", type(error).__name__, error)
            return self._fallback(question, retrieval, MODEL_FAILED)
        if not isinstance(raw, str) or not raw.strip():
            log.warning("the language model returned an empty or non-text reply")
            return self._fallback(question, retrieval, MODEL_GARBLED)
        checked = check_citations(raw, len(hits))
        if checked.removed:
            log.info("removed invented citations %s", list(checked.removed))
        if checked.declined:
            return refusal(question, self.extractive.retriever.state())
        if not checked.cited:
            log.info("generated answer cited nothing; falling back: %r", raw[:200])
            fallback = self._fallback(question, retrieval, MODEL_UNCITED)
            return replace(fallback, citations=self.translate(fallback.citations, question))
        citations = self.translate([cite(n, hits[number - 1], retrieval.asked)
                                    for n, number in enumerate(checked.cited, start=1)],
                                   question)
        return Answer(question=question, text=self.redact(checked.text), grounded=True,
                      mode="llm", citations=citations)

    @staticmethod
    def _fallback(question: str, retrieval: Retrieval, note: str) -> Answer:
        return replace(extractive_answer(question, retrieval), note=note)
