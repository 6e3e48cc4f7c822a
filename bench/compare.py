"""`compare TOPIC` and `check CLAIM`: placement on the dev corpus, and latency at 1k and 10k
passages, extractive and with a local instant model.

Run: .venv/bin/python -m bench.compare --dev DATA_DIR [--work DIR]

Placement: eval/compare-fit.jsonl (16 topics; SPEAKS_ABOVE was fitted on them) and
eval/compare.jsonl (12 topics, written before the first run, the report set: nothing was
tuned on them), over the two EU regulations and the essay, against the knowledge base
that bench/realcorpus.py builds (its `data-current`). A placement is right when an expected
document speaks, or an expected silent one is silent. Latency: the knowledge bases of
bench/ask_latency.py (XQuAD vectors copied into ~2,000 documents), 100 English questions
as topics, and as claims (the question made a statement: "What is X." ), extractive and
with a local instant model: the tests' OpenAI-compatible server on 127.0.0.1, answering
every call at once with a well-formed reply (positions citing each document's passages, a
verdict quoting the first passage given, translations), so what is measured is our side
of the model path: prompts, HTTP, parsing and checking, quote verification.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.ask_latency import fill, real_records
from bench.xquad import questions
from bot.answering.chat_models import ChatModelSpec, make_chat_model
from bot.answering.checking import ClaimJudge, check_claims
from bot.answering.comparing import PositionWriter, compare_sources
from bot.cli.tables import percentile_ms, table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from testing.openai_server import ChatReply, OpenAIServer

EVAL = Path(__file__).resolve().parent.parent / "eval"
# Fitted on (SPEAKS_ABOVE in knowledge/search/comparison.py), and reported on.
FIT_CASES = EVAL / "compare-fit.jsonl"
REPORT_CASES = EVAL / "compare.jsonl"


def placement(data: Path, cases: Path) -> tuple[list[list[object]], int, int]:
    kb = KnowledgeBase(KnowledgeConfig(data_dir=data, sources=(), offline=True))
    rows, right, total = [], 0, 0
    for line in cases.read_text("utf-8").splitlines():
        case = json.loads(line)
        comparison = compare_sources(kb.retriever, case["compare"])
        speaking = {p.source for p in comparison.positions}
        silent = {s for s, _ in comparison.silent}
        wrong = [f"{s} silent" for s in case["expected_sources"] if s not in speaking] + \
            [f"{s} speaks" for s in case["expected_silent"] if s not in silent]
        placed = len(case["expected_sources"]) + len(case["expected_silent"])
        right += placed - len(wrong)
        total += placed
        rows.append([case["compare"], f"{placed - len(wrong)}/{placed}",
                     "; ".join(w[:12] + w[w.index(" "):] for w in wrong) or "-"])
    return rows, right, total


_DOCUMENT = re.compile(r'<document n="D(\d+)"[^>]*>(.*?)</document>', re.DOTALL)
_PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)
_QUOTE = re.compile(r'<quote n="(\d+)">')
_QUESTION = re.compile(r"<question>(.*?)</question>", re.DOTALL)


def instant_model(messages: list[dict[str, Any]]) -> ChatReply:
    """A well-formed reply to each of our prompts, at once."""
    sent = "\n".join(str(m.get("content", "")) for m in messages)
    if "<claim>" in sent:
        passage = _PASSAGE.search(sent)
        quote = " ".join(passage.group(2).split()[:12]) if passage else ""
        return ChatReply(json.dumps({"verdict": "supported", "passage": 1, "quote": quote}))
    if "<document " in sent:
        lines = []
        for number, body in _DOCUMENT.findall(sent):
            cited = "".join(f"[{n}]" for n, _ in _PASSAGE.findall(body)[:1])
            lines.append(f"D{number}: This document sets out its rule {cited}.")
        first = [m.group(1) for m in _PASSAGE.finditer(sent)][:2]
        lines.append("AGREEMENT: They agree " + "".join(f"[{n}]" for n in first) + ".")
        return ChatReply("\n".join(lines))
    asked = _QUESTION.search(sent)
    if asked:  # a topic put into another language: searched with, so not the same text
        return ChatReply(f"{asked.group(1)} (translated)")
    return ChatReply("\n".join(f"{n}: translated" for n in _QUOTE.findall(sent)))


Tool = Callable[[KnowledgeBase, str], object]


def tools(server: OpenAIServer | None) -> tuple[Tool, Tool]:
    """compare and check, extractive or through the model at `server`."""
    if server is None:
        return (lambda kb, topic: compare_sources(kb.retriever, topic),
                lambda kb, claim: check_claims(kb.retriever, claim))
    model = make_chat_model(ChatModelSpec("openai", "instant"), server.url, "", 10.0)
    writer, judge = PositionWriter(model), ClaimJudge(model)
    return (lambda kb, topic: compare_sources(kb.retriever, topic, writer),
            lambda kb, claim: check_claims(kb.retriever, claim, judge))


def latency(work: Path) -> list[list[str]]:
    records = real_records(work)
    rows: list[list[str]] = []
    topics = [q.text for q in questions("en")[:100]]
    claims = [topic.rstrip(" ?") + "." for topic in topics]
    with OpenAIServer() as server:
        server.script = instant_model
        for size in (1_000, 10_000):
            kb = KnowledgeBase(KnowledgeConfig(data_dir=work / f"latency-{size}", sources=(),
                                               offline=True))
            if kb.state_file.current().passage_count < size * 0.9:
                fill(kb, records, size)
            state = kb.state_file.current()
            for mode, model in (("extractive", None), ("instant model", server)):
                compare, check = tools(model)
                for name, tool, texts in (("compare", compare, topics),
                                          ("check", check, claims)):
                    tool(kb, texts[0])  # warm
                    samples = []
                    for text in texts:
                        started = time.perf_counter()
                        tool(kb, text)
                        samples.append(time.perf_counter() - started)
                    rows.append([name, mode, f"{state.passage_count:,}",
                                 f"{len(state.documents):,}",
                                 f"{percentile_ms(samples, 50):.0f}",
                                 f"{percentile_ms(samples, 95):.0f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, required=True,
                        help="data dir of the dev knowledge base (bench/realcorpus.py)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policybot-bench"))
    parser.add_argument("--placement-only", action="store_true")
    args = parser.parse_args()
    for name, cases in (("fit set", FIT_CASES), ("report set", REPORT_CASES)):
        rows, right, total = placement(args.dev, cases)
        print(f"Compare placement on the dev corpus, {name} ({cases.name}): "
              f"{right}/{total} = {right / total:.2f}\n")
        print(table(["topic", "placed right", "misplaced"], rows))
        print()
    if args.placement_only:
        return
    print("Compare and check latency, embedded Chroma\n")
    print(table(["tool", "mode", "passages", "documents", "p50 ms", "p95 ms"],
                latency(args.work)))


if __name__ == "__main__":
    main()
