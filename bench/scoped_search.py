"""Scoped search against unscoped, at 10k passages (issue 34's target: p50 within 1.2x).

Run: .venv/bin/python -m bench.scoped_search [--work DIR] [--passages 10000]

The store of bench/ask_latency.py (real e5 vectors of XQuAD's paragraphs, copied as
separate documents, half filed as English), with every other copy given the scope "alpha".
Three retrievers on the same store, taken in turn question by question so that the
machine's drift falls on all three alike: unscoped (every document: the command line),
a place of scope "alpha" (sees every document, through a view), and a place without
scopes (sees half). A view is a filter on the snapshot's documents (KnowledgeState.visible):
the search asks Chroma as before and drops what the view does not hold, as it dropped
garbage versions already; no `where` filter (measured 302 ms at 10k).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.ask_latency import fill, real_records
from bench.xquad import questions
from bot.cli.tables import percentile_ms, table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig

QUESTIONS = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--passages", type=int, default=10_000)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="policybot-scoped-"))
    kb = KnowledgeBase(KnowledgeConfig(data_dir=work / f"scoped-{args.passages}",
                                       sources=(), offline=True, dictionary="off"))
    if kb.state_file.current().passage_count < args.passages * 0.9:
        fill(kb, real_records(work), args.passages)
    state = kb.state_file.current()
    kb.state_file.replace(replace(state, documents={
        key: replace(entry, scopes=("alpha",) if key.split("/")[0][4:].isdigit() and
                     int(key.split("/")[0][4:]) % 2 else ())
        for key, entry in state.documents.items()}))
    state = kb.state_file.current()
    scoped = sum(1 for e in state.documents.values() if e.scopes)
    views = {"unscoped (every document)": kb.retriever,
             'a place of scope "alpha" (every document, through a view)':
                 kb.retriever.scoped(frozenset({"alpha"})),
             "a place without scopes (the unscoped half)": kb.retriever.scoped(frozenset())}
    texts = [q.text for language in ("en", "de") for q in questions(language)[:QUESTIONS // 2]]
    for retriever in views.values():  # warm: the model, each view's catalogues
        retriever.prepare()
        retriever.search(texts[0], k=5)
    seconds: dict[str, list[float]] = {name: [] for name in views}
    for text in texts:
        for name, retriever in views.items():
            started = time.perf_counter()
            retriever.search(text, k=5)
            seconds[name].append(time.perf_counter() - started)
    base = percentile_ms(seconds["unscoped (every document)"], 50)
    print(f"{state.passage_count:,} passages in {len(state.documents):,} documents, "
          f"{scoped:,} of them of scope \"alpha\"; {len(texts)} XQuAD questions (half "
          "English, half German), each asked of the three in turn\n")
    print(table(["search as", "p50 ms", "p95 ms", "p50 / unscoped"], [
        [name, f"{percentile_ms(s, 50):.1f}", f"{percentile_ms(s, 95):.1f}",
         f"{percentile_ms(s, 50) / base:.2f}x"] for name, s in seconds.items()]))


if __name__ == "__main__":
    main()
