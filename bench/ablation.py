"""What each ranking stage and each of the verdict's features does, on the language-pair
grid: every one switched off in turn, the rest left on.

Run: .venv/bin/python -m bench.ablation [--work DIR] [--reuse]

The knowledge base is the grid's (bench/realcorpus.py): the two EU regulations, the four
German statutes and the essay, read from ../shared/corpora. The questions are
eval/realcorpus.jsonl and eval/langpairs.jsonl (the holdout written apart only with
--holdout, once a change is done, and only as counts per cell), asked in
process through the extractive answerer, with and without the German-English dictionary.
Each row is one stage or feature switched off; each cell the change in hit@3 against
everything on, as fit side / report side, and the change in off-topic questions refused;
and in the definitions of eval/definitions.jsonl cited (the grid holds few questions
asking what a term means, and two stages are for them).
A stage that gains no report-side hit net of its losses, or trades one cell for another,
is a candidate for removal (issue 31).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import grid
from bench.definitions import CASES as DEFINITIONS
from bench.realcorpus import (
    HOLDOUT,
    LANGPAIRS,
    QUESTIONS,
    check_shared,
    lay_sources,
    on_fit_side,
    on_report_side,
)
from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from bot.cli.tables import table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.search.ranking import LANGUAGE_STAGES, STAGES
from knowledge.search.retriever import VERDICT_FEATURES

Switch = tuple[str, Callable[[KnowledgeBase], Any]]


def definition_questions() -> list[tuple[str, str]]:
    """eval/definitions.jsonl: "What is X?" of terms the regulations define (question,
    term); the grid holds few such questions, and two stages are for them."""
    lines = DEFINITIONS.read_text("utf-8").splitlines()
    found = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    return [(case["question"], case["term"]) for case in found]


def definitions_cited(kb: KnowledgeBase, asked: Sequence[tuple[str, str]]) -> int:
    """How many of the questions get their term's definition among the citations."""
    answerer = Answerer(kb.retriever)
    count = 0
    for question, term in asked:
        wanted = f"'{term}' means".lower()
        answer = answerer.answer(Question(question))
        count += any(wanted in c.text.lower().replace("’", "'").replace("‘", "'")
                     for c in answer.citations)
    return count


def cases() -> list[grid.Case]:
    chosen = grid.load_cases(QUESTIONS) + grid.load_cases(LANGPAIRS)
    assert all(case.file != HOLDOUT.stem for case in chosen)
    return chosen


def answers(kb: KnowledgeBase, asked: Sequence[grid.Case]) -> list[dict[str, Any]]:
    answerer = Answerer(kb.retriever)
    return [answerer.answer(Question(case.question)).to_json() for case in asked]


@contextmanager
def second_opinion_off(kb: KnowledgeBase) -> Iterator[None]:
    judge = kb.retriever.judge
    second, judge.second = judge.second, None
    try:
        yield
    finally:
        judge.second = second


def scores(asked: Sequence[grid.Case], answered: Sequence[dict[str, Any]],
           side: Callable[[grid.Case], bool]) -> dict[str, int]:
    """Hits per cell and off-topic questions refused, on one side of the grid."""
    counts = {pair: 0 for pair in grid.PAIRS} | {"refused": 0}
    for case, answer in zip(asked, answered, strict=True):
        if not side(case):
            continue
        if case.no_answer:
            counts["refused"] += not answer.get("grounded")
        elif case.pair in counts:
            counts[case.pair] += grid.hit(case, answer)
    return counts


def delta(now: int, base: int) -> str:
    return f"{now - base:+d}" if now != base else "0"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true",
                        help="use the knowledge base an earlier run left in --work")
    parser.add_argument("--holdout", action="store_true",
                        help="only the holdout written apart, as aggregate rows (run it "
                             "once the change is done: what each mechanism adds there)")
    args = parser.parse_args()
    check_shared()
    work = args.work or Path(tempfile.mkdtemp(prefix="policybot-ablation-"))
    sources = lay_sources(work, statutes=True)
    kb = KnowledgeBase(KnowledgeConfig(data_dir=work / "data", sources=tuple(sources),
                                       offline=True))
    if not (args.reuse and (work / "data" / "knowledge.json").exists()):
        kb.refresh()
    if args.holdout:
        on_holdout(kb)
        return
    asked = cases()
    defining = definition_questions()
    names = [stage.name for stage in (*LANGUAGE_STAGES, *STAGES)] + [
        "languages on a par", "gloss", *VERDICT_FEATURES]
    dictionary = kb.dictionary
    rows: list[list[object]] = []
    for with_dictionary in (True, False):
        kb.retriever.dictionary = dictionary if with_dictionary else None
        started = time.perf_counter()
        kb.retriever.candidates.off = frozenset()
        base = answers(kb, asked)
        base_definitions = definitions_cited(kb, defining)
        label = "with the dictionary" if with_dictionary else "without the dictionary"
        base_fit, base_report = (scores(asked, base, on_fit_side),
                                 scores(asked, base, on_report_side))
        rows.append([f"everything on ({label})",
                     *(f"{base_fit[c]} / {base_report[c]}" for c in [*grid.PAIRS, "refused"]),
                     "", f"{base_definitions}/{len(defining)}",
                     f"{time.perf_counter() - started:.0f}"])
        for name in [*names, "second opinion"]:
            started = time.perf_counter()
            if name == "second opinion":
                kb.retriever.candidates.off = frozenset()
                with second_opinion_off(kb):
                    answered = answers(kb, asked)
                    defined = definitions_cited(kb, defining)
            else:
                kb.retriever.candidates.off = frozenset({name})
                answered = answers(kb, asked)
                defined = definitions_cited(kb, defining)
            fit, report = scores(asked, answered, on_fit_side), \
                scores(asked, answered, on_report_side)
            net = sum(report[p] - base_report[p] for p in grid.PAIRS)
            rows.append([f"  {name} off",
                         *(f"{delta(fit[c], base_fit[c])} / {delta(report[c], base_report[c])}"
                           for c in [*grid.PAIRS, "refused"]),
                         f"{-net:+d}", delta(defined, base_definitions),
                         f"{time.perf_counter() - started:.0f}"])
    kb.retriever.candidates.off = frozenset()
    print(f"Knowledge base: {work / 'data'}; questions: {QUESTIONS.name} and "
          f"{LANGPAIRS.name} ({len(asked)}); hit@3 as fit / report; off rows: the "
          "change against everything on.\n")
    print(table(["configuration", *(f"hit@3 {p}" for p in grid.PAIRS), "off-topic refused",
                 "report hits it gains (net)", "definitions cited", "s"], rows))


def on_holdout(kb: KnowledgeBase) -> None:
    """Each switch on the holdout written apart: per cell counts only, never a question."""
    asked = grid.load_cases(HOLDOUT)
    names = [stage.name for stage in (*LANGUAGE_STAGES, *STAGES)] + [
        "languages on a par", "gloss", *VERDICT_FEATURES, "second opinion"]
    every = lambda case: True  # noqa: E731 (one side: the whole holdout)
    dictionary = kb.dictionary
    rows: list[list[object]] = []
    for with_dictionary in (True, False):
        kb.retriever.dictionary = dictionary if with_dictionary else None
        kb.retriever.candidates.off = frozenset()
        base = scores(asked, answers(kb, asked), every)
        label = "with the dictionary" if with_dictionary else "without the dictionary"
        rows.append([f"everything on ({label})",
                     *(str(base[c]) for c in [*grid.PAIRS, "refused"]), ""])
        for name in names:
            if name == "second opinion":
                with second_opinion_off(kb):
                    got = scores(asked, answers(kb, asked), every)
            else:
                kb.retriever.candidates.off = frozenset({name})
                got = scores(asked, answers(kb, asked), every)
            kb.retriever.candidates.off = frozenset()
            net = sum(got[p] - base[p] for p in grid.PAIRS)
            rows.append([f"  {name} off", *(delta(got[c], base[c])
                                            for c in [*grid.PAIRS, "refused"]), f"{-net:+d}"])
    kb.retriever.dictionary = dictionary
    counts = {p: sum(1 for c in asked if c.pair == p and not c.no_answer) for p in grid.PAIRS}
    print(f"Holdout written apart ({HOLDOUT.name}; aggregate only): answerable per cell "
          + ", ".join(f"{p} {n}" for p, n in counts.items())
          + f", off-topic {sum(c.no_answer for c in asked)}. Off rows: the change in hits "
          "against everything on.\n")
    print(table(["configuration", *(f"hits {p}" for p in grid.PAIRS), "off-topic refused",
                 "hits it gains (net)"], rows))


if __name__ == "__main__":
    main()
