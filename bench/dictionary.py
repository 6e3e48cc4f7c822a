"""What the German-English dictionary costs: reading it, holding it, and a German question.

Run: .venv/bin/python -m bench.dictionary --dev DATA_DIR [--dictionary FILE]

DATA_DIR is a knowledge base holding the dev corpus (e.g. the `data-current` that
`bench.realcorpus --work W` leaves in W). The questions are the German questions of
eval/realcorpus.jsonl about the English regulations (every split); each is searched warm,
with the dictionary and without it, alternately, on the same index.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.realcorpus import load_cases
from bot.cli.tables import percentile_ms, table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.text.lexicon import Dictionary

ROUNDS = 3


def timed_searches(kb: KnowledgeBase, questions: list[str]) -> list[float]:
    seconds = []
    for question in questions:
        started = time.perf_counter()
        kb.retriever.search(question, k=5)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, required=True)
    parser.add_argument("--dictionary", default="")
    args = parser.parse_args()
    found = Dictionary.find(args.dictionary, None)
    if found is None:
        raise SystemExit("no dictionary: install trans-de-en or pass --dictionary FILE")
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        lexicon = Dictionary(found.path, Path(cache)).lexicon()
        parsed = time.perf_counter() - started
        started = time.perf_counter()
        Dictionary(found.path, Path(cache)).lexicon()
        kept = time.perf_counter() - started
    assert lexicon is not None
    print(f"Dictionary {found.path}: {len(lexicon):,} German words; first read "
          f"{parsed:.2f} s, from the cache folder {kept * 1000:.0f} ms; held as "
          f"{len(lexicon.block) / 2**20:.1f} MB\n")

    questions = [c.question for c in load_cases() if c.pair == "DE->EN"]
    bases = {name: KnowledgeBase(KnowledgeConfig(data_dir=args.dev, sources=(), offline=True,
                                                 dictionary=setting))
             for name, setting in (("without", "off"), ("with", str(found.path)))}
    for kb in bases.values():
        timed_searches(kb, questions[:5])  # warm: models, indexes, the vocabulary
    seconds: dict[str, list[float]] = {name: [] for name in bases}
    for _ in range(ROUNDS):
        for name, kb in bases.items():
            seconds[name] += timed_searches(kb, questions)
    print(f"Warm search of {len(questions)} German questions about the English acts, "
          f"{ROUNDS} rounds alternated\n")
    print(table(["dictionary", "search p50 ms", "search p95 ms"],
                [[name, f"{percentile_ms(values, 50):.1f}", f"{percentile_ms(values, 95):.1f}"]
                 for name, values in seconds.items()]))


if __name__ == "__main__":
    main()
