"""`compare TOPIC`: placement on the dev corpus, and latency at 1k and 10k passages.

Run: .venv/bin/python -m bench.compare --dev DATA_DIR [--work DIR]

Placement: eval/compare.jsonl (12 topics over the two EU regulations and the essay, written
before this was run; nothing was tuned on them), against the knowledge base that
bench/realcorpus.py builds (its `data-current`). A placement is right when an expected
document speaks, or an expected silent one is silent. Latency: the knowledge bases of
bench/ask_latency.py (XQuAD vectors copied into ~2,000 documents), 100 English questions
as topics, extractive.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.ask_latency import fill, real_records
from bench.xquad import questions
from bot.answering.comparing import compare_sources
from bot.cli.tables import percentile_ms, table
from knowledge.base import KnowledgeBase, KnowledgeConfig

CASES = Path(__file__).resolve().parent.parent / "eval" / "compare.jsonl"


def placement(data: Path) -> tuple[list[list[object]], int, int]:
    kb = KnowledgeBase(KnowledgeConfig(data_dir=data, sources=(), offline=True))
    rows, right, total = [], 0, 0
    for line in CASES.read_text("utf-8").splitlines():
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


def latency(work: Path) -> list[list[str]]:
    records = real_records(work)
    rows: list[list[str]] = []
    topics = [q.text for q in questions("en")[:100]]
    for size in (1_000, 10_000):
        kb = KnowledgeBase(KnowledgeConfig(data_dir=work / f"latency-{size}", sources=(),
                                           offline=True))
        if kb.state_file.current().passage_count < size * 0.9:
            fill(kb, records, size)
        compare_sources(kb.retriever, topics[0])  # warm
        samples = []
        for topic in topics:
            started = time.perf_counter()
            compare_sources(kb.retriever, topic)
            samples.append(time.perf_counter() - started)
        state = kb.state_file.current()
        rows.append([f"{state.passage_count:,}", f"{len(state.documents):,}",
                     f"{percentile_ms(samples, 50):.0f}", f"{percentile_ms(samples, 95):.0f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, required=True,
                        help="data dir of the dev knowledge base (bench/realcorpus.py)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policybot-bench"))
    args = parser.parse_args()
    rows, right, total = placement(args.dev)
    print(f"Compare placement on the dev corpus: {right}/{total} = {right / total:.2f}\n")
    print(table(["topic", "placed right", "misplaced"], rows))
    print("\nCompare latency, extractive, embedded Chroma\n")
    print(table(["passages", "documents", "p50 ms", "p95 ms"], latency(args.work)))


if __name__ == "__main__":
    main()
