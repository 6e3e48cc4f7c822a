"""What the generation chain costs around the model call.

The model is a local OpenAI-compatible server that answers at once, reached through the
real langchain-openai client; a callback times each model call from the client's side
(request out, reply parsed). Overhead = whole answer - model calls: condensing, retrieval,
prompt building, citation checking. Extractive answers to the same questions are measured
in the same run for comparison.

Run: .venv/bin/python -m bench.chain_overhead
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from bench.essay import essay_knowledge, questions
from bot.answering.answers import Answer, Question
from bot.answering.chat_models import ChatModelSpec, make_chat_model
from bot.answering.extractive import Answerer
from bot.answering.generation import GeneratedAnswerer
from bot.answering.memory import Turn
from bot.cli.tables import percentile_ms, table
from testing.openai_server import ChatReply, OpenAIServer

ROUNDS = 4


class ModelTimer(BaseCallbackHandler):
    def __init__(self) -> None:
        self.started: dict[UUID, float] = {}
        self.seconds = 0.0

    def on_chat_model_start(self, serialized: dict[str, Any], messages: Any, *,
                            run_id: UUID, **kwargs: Any) -> None:
        self.started[run_id] = time.perf_counter()

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.seconds += time.perf_counter() - self.started.pop(run_id)


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="policybot-chain-"))
    kb = essay_knowledge(data)
    texts = questions() * ROUNDS
    history = (Turn("What does the essay say about Europe?", "It doubts sovereignty [1]."),)
    with OpenAIServer() as server:
        server.script = lambda messages: ChatReply("The providers of compute win [1].")
        model = make_chat_model(ChatModelSpec("openai", "bench"), server.url, "", 30.0)
        timer = ModelTimer()
        model.callbacks = [timer]
        generated = GeneratedAnswerer(kb.retriever, model)
        extractive = Answerer(kb.retriever)
        generated.answer(Question(texts[0]))  # warm: models, background, HTTP connection
        runs: list[tuple[str, Callable[[str], Answer]]] = [
            ("extractive", lambda text: extractive.answer(Question(text))),
            ("llm", lambda text: generated.answer(Question(text))),
            ("llm, follow-up (condense + answer)",
             lambda text: generated.answer(Question(text), history)),
        ]
        rows = []
        for label, run in runs:
            totals, model_times, overheads = [], [], []
            for text in texts:
                timer.seconds = 0.0
                started = time.perf_counter()
                answer = run(text)
                total = time.perf_counter() - started
                assert answer.grounded, text
                totals.append(total)
                model_times.append(timer.seconds)
                overheads.append(total - timer.seconds)
            rows.append([label, len(texts), f"{percentile_ms(totals, 50):.1f}",
                         f"{percentile_ms(model_times, 50):.1f}",
                         f"{percentile_ms(overheads, 50):.1f}",
                         f"{percentile_ms(overheads, 95):.1f}"])
    print("Chain overhead on the seed essay; model = local server answering at once\n")
    print(table(["answers", "questions", "total p50 ms", "model calls p50 ms",
                 "overhead p50 ms", "overhead p95 ms"], rows))


if __name__ == "__main__":
    main()
