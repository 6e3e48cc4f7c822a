"""The language-pair grid: question language x language of the passage holding the answer.

A question file (eval/*.jsonl) holds one question a line: "pair" (e.g. "EN->DE": asked in
English, answered by a German passage; "EN->none": off-topic), "split" (fit, report, ...),
"expected_phrases" and "expected_sources". A *hit*: one of the first three citations holds
an expected phrase (white space folded, case ignored) and comes from an expected source.
Each side of the grid (fit, report, a holdout) gets one row per pipeline: hit@3 per cell,
off-topic refused, the highlighted-sentence rate (an expected phrase in the first
citation's quote, over answerable questions) and, in the two crossed cells, how often the
first citation is in the question's language although the answer is not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PAIRS = ("EN->EN", "DE->EN", "EN->DE", "DE->DE")
CROSSED = ("EN->DE", "DE->EN")
HEADER = ["pipeline", *(f"hit@3 {p}" for p in PAIRS), "off-topic refused",
          "phrase in 1st quote",
          *(f"1st citation in question's language {p}" for p in CROSSED)]
COUNT_HEADER = ["side", *PAIRS, "off-topic"]
_SPACE = re.compile(r"\s+")

Answered = Sequence[tuple["Case", dict[str, Any]]]


def fold(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


@dataclass(frozen=True)
class Case:
    question: str
    phrases: tuple[str, ...]
    sources: tuple[str, ...]
    no_answer: bool
    pair: str
    split: str
    file: str = "realcorpus"  # the question file's stem

    @property
    def label(self) -> str:
        return f"{self.file}:{self.split}"


def load_cases(path: Path) -> list[Case]:
    cases = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        data = json.loads(line)
        cases.append(Case(data["question"], tuple(data.get("expected_phrases", ())),
                          tuple(data.get("expected_sources", ())),
                          bool(data.get("no_answer")), data["pair"], data["split"],
                          path.stem))
    return cases


def hit(case: Case, answer: dict[str, Any]) -> bool:
    if not answer.get("grounded"):
        return False
    for citation in answer["citations"][:3]:
        text = fold(citation["text"])
        if any(fold(p) in text for p in case.phrases) and (
                not case.sources or any(str(citation["source"]).endswith(s)
                                        for s in case.sources)):
            return True
    return False


def first_quote_holds(case: Case, answer: dict[str, Any]) -> bool:
    if not answer.get("grounded") or not answer["citations"]:
        return False
    quote = fold(answer["citations"][0].get("quote", ""))
    return any(fold(p) in quote for p in case.phrases)


def first_in_question_language(case: Case, answer: dict[str, Any],
                               languages: Mapping[str, str]) -> bool:
    """Whether the first citation comes from a document in the question's language (a
    refused question has none: False). `languages`: document file name -> "EN" or "DE"."""
    if not answer.get("grounded") or not answer["citations"]:
        return False
    name = str(answer["citations"][0]["source"]).replace("\\", "/").rsplit("/", 1)[-1]
    return languages.get(name) == case.pair[:2]


def rate(values: list[bool]) -> str:
    return f"{sum(values) / len(values):.2f} ({sum(values)}/{len(values)})" if values else "n/a"


def grid_row(name: str, answered: Answered, languages: Mapping[str, str]) -> list[object]:
    row: list[object] = [name]
    for pair in PAIRS:
        row.append(rate([hit(c, a) for c, a in answered if c.pair == pair and not c.no_answer]))
    row.append(rate([not a.get("grounded") for c, a in answered if c.no_answer]))
    row.append(rate([first_quote_holds(c, a) for c, a in answered if not c.no_answer]))
    for pair in CROSSED:
        row.append(rate([first_in_question_language(c, a, languages)
                         for c, a in answered if c.pair == pair and not c.no_answer]))
    return row


def count_row(side: str, cases: Iterable[Case]) -> list[object]:
    chosen = list(cases)
    return [side, *(sum(c.pair == p and not c.no_answer for c in chosen) for p in PAIRS),
            sum(c.no_answer for c in chosen)]


def short_cells(cases: Iterable[Case], least: int) -> list[str]:
    """The cells with fewer than `least` answerable questions, e.g. ["EN->DE: 18"]."""
    chosen = list(cases)
    counts = {p: sum(c.pair == p and not c.no_answer for c in chosen) for p in PAIRS}
    return [f"{p}: {n}" for p, n in counts.items() if n < least]


def select(cases: Sequence[Case], answers: Sequence[dict[str, Any]],
           keep: Callable[[Case], bool]) -> list[tuple[Case, dict[str, Any]]]:
    return [(c, a) for c, a in zip(cases, answers, strict=True) if keep(c)]
