"""Fair service under load (issue 27, item 3): one person's burst of 12 `check`s with a
model beside a lone question from another, through the real assistant and the workers
that schedule it, in one run: the lone question's latency alone and beside the burst, and
what the burst got (answered, told busy, left unanswered after being told).

The model is a local OpenAI-compatible server that takes MODEL_SECONDS a call (a hosted
model's order of magnitude), reached through the real langchain-openai client. The
workers run with the defaults of `policybot run` (Limits()). For comparison, the same run
with the scheduling the bot had before: two threads, one shared queue, no limit.

Run: .venv/bin/python -m bench.fair_queue
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.essay import essay_knowledge
from bot.answering.chat_models import ChatModelSpec, make_chat_model
from bot.answering.checking import ClaimJudge
from bot.answering.comparing import PositionWriter
from bot.answering.generation import GeneratedAnswerer
from bot.cli.tables import table
from bot.serving.assistant import Assistant, Tools
from bot.serving.commands import Reply, Request
from bot.serving.workers import Limits, Workers
from testing.openai_server import ChatReply, OpenAIServer

MODEL_SECONDS = 0.5
BURST = 12
CHECK = ("check Die Gewinner sind die Entwickler des besten Algorithmus. Europa stellt die "
         "Rechenleistung bereit. Open-Source-Projekte überleben ohne Cluster.")
QUESTION = "Wer stellt die Rechenleistung bereit?"
# The scheduling before issue 27: two threads, one queue in order of arrival, no limit.
BEFORE = Limits(threads=2, user_threads=2, user_max_cost=10**9, queue_max=10**9)


async def timed(workers: Workers, request: Request) -> tuple[Reply, float]:
    started = time.perf_counter()
    reply = await workers.handle(request)
    return reply, time.perf_counter() - started


async def scenario(assistant: Assistant, limits: Limits) -> list[object]:
    workers = Workers(assistant, "bench", limits)
    _, alone = await timed(workers, Request.of(QUESTION, "ben"))
    burst = [asyncio.ensure_future(timed(workers, Request.of(CHECK, "ana")))
             for _ in range(BURST)]
    await asyncio.sleep(0.05)  # the burst arrives first
    _, beside = await timed(workers, Request.of(QUESTION, "ben"))
    done = await asyncio.gather(*burst)
    await workers.drain()
    answered = [seconds for reply, seconds in done if reply.check is not None]
    busy = sum(1 for reply, _ in done if reply.text.startswith("I'm still working"))
    silent = sum(1 for reply, _ in done if reply.silent)
    return [f"{alone * 1000:.0f}", f"{beside * 1000:.0f}", f"{beside / alone:.2f}x",
            len(answered), busy, silent,
            f"{max(answered) * 1000:.0f}" if answered else "-"]


def main() -> None:
    kb = essay_knowledge(Path(tempfile.mkdtemp(prefix="policybot-fair-")))
    with OpenAIServer() as server:
        server.script = lambda messages: ChatReply("Die Hyperscaler stellen sie bereit [1].",
                                                   delay=MODEL_SECONDS)
        model = make_chat_model(ChatModelSpec("openai", "bench"), server.url, "", 30.0)
        tools = Tools(GeneratedAnswerer(kb.retriever, model), PositionWriter(model),
                      ClaimJudge(model))
        assistant = Assistant(kb, tools=tools)
        assistant.handle(Request.of(QUESTION))  # warm: the models, the HTTP connection
        rows = []
        for label, limits in (("before: 2 threads, one queue", BEFORE),
                              ("fair queue, defaults", Limits())):
            rows.append([label, *asyncio.run(scenario(assistant, limits))])
    print(f"One person sends {BURST} checks of three claims with a model "
          f"({MODEL_SECONDS} s a call; cost {assistant.cost(Request.of(CHECK))} each); "
          "another asks one question (cost 3) before and while.\n")
    print(table(["scheduling", "question alone ms", "question beside the burst ms", "ratio",
                 "checks answered", "told busy", "unanswered after", "last check ms"],
                rows))


if __name__ == "__main__":
    main()
