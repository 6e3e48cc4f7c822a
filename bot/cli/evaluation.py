"""`policybot eval FILE`: a team measures its own knowledge base with its own questions.

The file is JSON Lines, one question per line:

    {"question": "...", "expected_phrases": ["..."], "expected_sources": ["essay.txt"]}
    {"question": "...", "no_answer": true}

A question with expectations is a *hit* when the answer cites a passage that contains one
of the phrases (case-insensitive) and comes from one of the sources (a source matches
when the cited source ends with it); either list may be left out, not both.

Lines may also test the discussion tools:

    {"compare": "TOPIC", "expected_sources": ["..."], "expected_silent": ["..."]}
    {"check": "CLAIM", "expected_sources": ["..."], "expected_verdict": "supported"}

A comparison places each expected document right when it speaks (expected_sources) or is
silent (expected_silent). A check is a hit when one of its claims cites an expected source
among its first three passages, and, when a verdict is expected, gives that verdict.
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


@dataclass(frozen=True)
class CompareCase:
    topic: str
    speaking: tuple[str, ...]
    silent: tuple[str, ...]


@dataclass(frozen=True)
class CheckCase:
    claim: str
    sources: tuple[str, ...]
    verdict: str | None


AnyCase = Case | CompareCase | CheckCase
VERDICTS = {"supported", "contradicted", "not_found"}


def _text_field(data: dict[str, object], name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise EvalFileError(f'{where}: "{name}" must be a non-empty string')
    return value.strip()


def _tool_case(data: dict[str, object], where: str) -> AnyCase:
    if "compare" in data:
        case = CompareCase(_text_field(data, "compare", where),
                           _strings(data.get("expected_sources"), where, "expected_sources"),
                           _strings(data.get("expected_silent"), where, "expected_silent"))
        if not case.speaking and not case.silent:
            raise EvalFileError(f"{where}: give expected_sources and/or expected_silent")
        return case
    verdict = data.get("expected_verdict")
    if verdict is not None and verdict not in VERDICTS:
        raise EvalFileError(f"{where}: expected_verdict must be one of "
                            f"{', '.join(sorted(VERDICTS))}")
    sources = _strings(data.get("expected_sources"), where, "expected_sources")
    if not sources:
        raise EvalFileError(f"{where}: give expected_sources")
    return CheckCase(_text_field(data, "check", where), sources,
                     str(verdict) if verdict is not None else None)


def parse_case(line: str, where: str) -> AnyCase:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise EvalFileError(f"{where}: not JSON ({error.msg})") from None
    if isinstance(data, dict) and ("compare" in data or "check" in data):
        return _tool_case(data, where)
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


def load_cases(path: Path) -> list[AnyCase]:
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


@dataclass(frozen=True)
class ToolResult:
    """A compare or check case: how many expectations it met, of how many."""

    text: str
    right: int
    total: int
    seconds: float


@dataclass
class Report:
    outcomes: list[CaseResult] = field(default_factory=list)
    comparisons: list[ToolResult] = field(default_factory=list)
    checks: list[ToolResult] = field(default_factory=list)

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
            **self._tool_summary("compare", "compare_placement", self.comparisons),
            **self._tool_summary("check", "check_hit_rate", self.checks),
        }

    @staticmethod
    def _tool_summary(name: str, key: str, results: list[ToolResult]) -> dict[str, object]:
        """Only when the file has such cases: a question file's report stays as it was."""
        if not results:
            return {}
        right, total = sum(r.right for r in results), sum(r.total for r in results)
        return {f"{name}_cases": len(results), key: right / total if total else None,
                f"{name}_latency_p50_ms": round(percentile_ms([r.seconds for r in results],
                                                              50), 1)}

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
        for name, key, results in (("compare placement", "compare_placement",
                                    self.comparisons),
                                   ("check hit rate", "check_hit_rate", self.checks)):
            if results:
                right, total = sum(r.right for r in results), sum(r.total for r in results)
                rows.append([name, f"{s[key]:.3f} ({right}/{total})"])
        lines = [table(["metric", "value"], rows)]
        for outcome in self.misses():
            expected = "no answer" if outcome.case.no_answer else "a matching citation"
            got = "an answer" if outcome.answer.grounded else "a refusal"
            lines.append(f"miss: {outcome.case.question!r}: expected {expected}, got {got}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        tools = [{"tool": kind, "text": r.text, "right": r.right, "total": r.total,
                  "ms": round(r.seconds * 1000, 1)}
                 for kind, results in (("compare", self.comparisons), ("check", self.checks))
                 for r in results]
        return {**self.summary(), **({"tool_results": tools} if tools else {}), "results": [
            {"question": o.case.question, "correct": o.correct, "grounded": o.answer.grounded,
             "mode": o.answer.mode, "cited": [c.id for c in o.answer.citations],
             "ms": round(o.seconds * 1000, 1)}
            for o in self.outcomes]}


def evaluate(assistant: Assistant, cases: Sequence[AnyCase]) -> Report:
    report = Report()
    questions = [c for c in cases if isinstance(c, Case)]
    if cases:  # load the models first: the first question should not carry that cost
        first = cases[0]
        assistant.knowledge.retriever.search(
            first.question if isinstance(first, Case) else
            first.topic if isinstance(first, CompareCase) else first.claim)
    for case in questions:
        started = time.perf_counter()
        answer = assistant.ask(Question(case.question, user="eval", platform="eval", scopes=None))
        report.outcomes.append(CaseResult(case, answer, time.perf_counter() - started))
    for tool in cases:
        if isinstance(tool, CompareCase):
            report.comparisons.append(_compared(assistant, tool))
        elif isinstance(tool, CheckCase):
            report.checks.append(_checked(assistant, tool))
    return report


def _compared(assistant: Assistant, case: CompareCase) -> ToolResult:
    started = time.perf_counter()
    reply = assistant.compare(case.topic)
    seconds = time.perf_counter() - started
    comparison = reply.comparison
    speaking = {p.source for p in comparison.positions} if comparison else set()
    silent = {s for s, _ in comparison.silent} if comparison else set()
    right = sum(any(s.endswith(e) for s in speaking) for e in case.speaking) + \
        sum(any(s.endswith(e) for s in silent) for e in case.silent)
    return ToolResult(case.topic, right, len(case.speaking) + len(case.silent), seconds)


def _checked(assistant: Assistant, case: CheckCase) -> ToolResult:
    started = time.perf_counter()
    reply = assistant.check(case.claim)
    seconds = time.perf_counter() - started
    claims = reply.check.claims if reply.check else ()
    found = any(any(c.source.endswith(e) for e in case.sources)
                for claim in claims for c in claim.citations[:3])
    verdict_ok = case.verdict is None or any(c.verdict == case.verdict for c in claims)
    return ToolResult(case.claim, int(found and verdict_ok), 1, seconds)
