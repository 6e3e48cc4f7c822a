"""`policybot eval FILE`: a team measures its own knowledge base with its own questions.

The file is JSON Lines, one question per line:

    {"question": "...", "expected_phrases": ["..."], "expected_sources": ["essay.txt"]}
    {"question": "...", "no_answer": true}

A question with expectations is a *hit* when the answer cites a passage that contains one
of the phrases (case-insensitive) and comes from one of the sources (a source matches
when the cited source ends with it); either list may be left out, not both.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.answering.answers import Answer, Citation, Question
from bot.cli.tables import percentile_ms, table
from bot.errors import ConfigurationError
from bot.serving.assistant import Assistant


class EvalFileError(ConfigurationError):
    """The question file is unreadable or malformed; the message names the line."""


@dataclass(frozen=True)
class Case:
    question: str
    phrases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    no_answer: bool = False


def _strings(value: object, where: str, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise EvalFileError(f"{where}: {name} must be a list of non-empty strings")
    return tuple(value)


def parse_case(line: str, where: str) -> Case:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise EvalFileError(f"{where}: not JSON ({error.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("question"), str) \
            or not data["question"].strip():
        raise EvalFileError(f'{where}: needs a "question" string')
    case = Case(
        question=data["question"].strip(),
        phrases=_strings(data.get("expected_phrases"), where, "expected_phrases"),
        sources=_strings(data.get("expected_sources"), where, "expected_sources"),
        no_answer=bool(data.get("no_answer", False)),
    )
    if case.no_answer == bool(case.phrases or case.sources):
        raise EvalFileError(f"{where}: give expected_phrases and/or expected_sources, "
                            f"or no_answer: true (one of the two)")
    return case


def load_cases(path: Path) -> list[Case]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise EvalFileError(f"{path}: cannot be read ({error})") from None
    cases = [parse_case(line, f"{path}:{number}")
             for number, line in enumerate(lines, start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not cases:
        raise EvalFileError(f"{path}: no questions")
    return cases


def cites_expected(case: Case, citation: Citation) -> bool:
    text = citation.text.casefold()
    phrase_ok = not case.phrases or any(p.casefold() in text for p in case.phrases)
    source_ok = not case.sources or any(
        citation.source.endswith(s) or citation.url == s for s in case.sources)
    return phrase_ok and source_ok


@dataclass(frozen=True)
class CaseResult:
    case: Case
    answer: Answer
    seconds: float

    @property
    def correct(self) -> bool:
        if self.case.no_answer:
            return not self.answer.grounded
        return self.answer.grounded and any(cites_expected(self.case, c)
                                            for c in self.answer.citations)


@dataclass
class Report:
    outcomes: list[CaseResult] = field(default_factory=list)

    def _share(self, outcomes: Sequence[CaseResult]) -> float | None:
        return sum(o.correct for o in outcomes) / len(outcomes) if outcomes else None

    @property
    def answerable(self) -> list[CaseResult]:
        return [o for o in self.outcomes if not o.case.no_answer]

    @property
    def unanswerable(self) -> list[CaseResult]:
        return [o for o in self.outcomes if o.case.no_answer]

    def summary(self) -> dict[str, object]:
        answerable, unanswerable = self.answerable, self.unanswerable
        seconds = [o.seconds for o in self.outcomes]
        return {
            "questions": len(self.outcomes),
            "citation_hit_rate": self._share(answerable),
            "refusal_accuracy": self._share(unanswerable),
            "wrongly_refused": sum(not o.answer.grounded for o in answerable),
            "llm_answers": sum(o.answer.mode == "llm" for o in self.outcomes),
            "fallback_notes": sum(bool(o.answer.note) for o in self.outcomes),
            "latency_p50_ms": round(percentile_ms(seconds, 50), 1),
            "latency_p95_ms": round(percentile_ms(seconds, 95), 1),
        }

    def misses(self) -> list[CaseResult]:
        return [o for o in self.outcomes if not o.correct]

    def text(self) -> str:
        s = self.summary()

        def rate(outcomes: Sequence[CaseResult]) -> str:
            if not outcomes:
                return "n/a"
            right = sum(o.correct for o in outcomes)
            return f"{right / len(outcomes):.3f} ({right}/{len(outcomes)})"

        rows: list[list[object]] = [
            ["citation hit rate", rate(self.answerable)],
            ["refusal accuracy", rate(self.unanswerable)],
            ["answerable but refused", s["wrongly_refused"]],
            ["generated (llm) answers", s["llm_answers"]],
            ["answers with a fallback note", s["fallback_notes"]],
            ["latency p50 ms", str(s["latency_p50_ms"])],
            ["latency p95 ms", str(s["latency_p95_ms"])],
        ]
        lines = [table(["metric", "value"], rows)]
        for outcome in self.misses():
            expected = "no answer" if outcome.case.no_answer else "a matching citation"
            got = "an answer" if outcome.answer.grounded else "a refusal"
            lines.append(f"miss: {outcome.case.question!r}: expected {expected}, got {got}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {**self.summary(), "results": [
            {"question": o.case.question, "correct": o.correct, "grounded": o.answer.grounded,
             "mode": o.answer.mode, "cited": [c.id for c in o.answer.citations],
             "ms": round(o.seconds * 1000, 1)}
            for o in self.outcomes]}


def evaluate(assistant: Assistant, cases: Sequence[Case]) -> Report:
    report = Report()
    if cases:  # load the models first: the first question should not carry that cost
        assistant.knowledge.retriever.search(cases[0].question)
    for case in cases:
        started = time.perf_counter()
        answer = assistant.ask(Question(case.question, user="eval", platform="eval"))
        report.outcomes.append(CaseResult(case, answer, time.perf_counter() - started))
    return report
