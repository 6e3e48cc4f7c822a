"""The first questions a freshly started bot answers, without and with the warm-up
`policybot run` does (bot/serving/warming.py).

Run: .venv/bin/python -m bench.first_questions --dev DATA_DIR

DATA_DIR is a refreshed knowledge base (bench/realcorpus.py's `data-current`). Each row
opens the knowledge base afresh in this process, as a started bot does after its
imports: new embedders, nothing loaded, no per-snapshot index built.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from bot.cli.tables import table
from bot.serving.warming import warm_up
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig

# The last two read per-snapshot indexes: the definitions, the provisions by number.
QUESTIONS = ("Welche Pflichten haben Hersteller?", "What must manufacturers report?",
             "Who really wins the open-source AI race?", "What is a near miss?",
             "What does Article 28(8) of DORA say?")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, required=True)
    args = parser.parse_args()
    rows = []
    for label, warmed in (("cold", False), ("after the warm-up", True), ("cold again", False)):
        kb = KnowledgeBase(KnowledgeConfig(data_dir=args.dev, sources=(), offline=True))
        warming = "-"
        if warmed:
            started = time.perf_counter()
            warm_up(kb).join()
            warming = f"{(time.perf_counter() - started) * 1000:.0f}"
        answerer = Answerer(kb.retriever)
        row = [label, warming]
        for question in QUESTIONS:
            started = time.perf_counter()
            answerer.answer(Question(question))
            row.append(f"{(time.perf_counter() - started) * 1000:.0f}")
        rows.append(row)
    print(table(["start", "warm-up ms", *(f"{q} ms" for q in QUESTIONS)], rows))


if __name__ == "__main__":
    main()
