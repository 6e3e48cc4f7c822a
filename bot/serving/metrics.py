"""What the running bot counts, in Prometheus form (served by bot/health.py).

One registry per process run, not prometheus_client's global one, so that each test and
each `serve` starts from zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

QuestionOutcome = Literal["answered", "refused", "failed"]
RefreshOutcome = Literal["done", "failed", "busy"]

# Extractive answers take tens of milliseconds, generated ones seconds: buckets for both.
ANSWER_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "policybot_questions", "Questions by platform and outcome",
            ["platform", "outcome"], registry=self.registry)
        self.answer_seconds = Histogram(
            "policybot_answer_seconds", "Time to answer a question",
            ["platform"], buckets=ANSWER_BUCKETS, registry=self.registry)
        self.refreshes = Counter(
            "policybot_refreshes", "Refresh runs by outcome", ["outcome"],
            registry=self.registry)
        self.refresh_seconds = Histogram(
            "policybot_refresh_seconds", "Duration of finished refreshes",
            buckets=(1, 5, 15, 60, 300, 900, 3600), registry=self.registry)
        self.errors = Counter(
            "policybot_errors", "Errors by kind (store, model, answer, refresh, platform)",
            ["kind"], registry=self.registry)
        self.passages = Gauge(
            "policybot_passages", "Passages in the knowledge base (after the last refresh)",
            registry=self.registry)

    def question(self, platform: str, outcome: QuestionOutcome, seconds: float) -> None:
        self.questions.labels(platform=platform, outcome=outcome).inc()
        self.answer_seconds.labels(platform=platform).observe(seconds)

    def refresh(self, outcome: RefreshOutcome, seconds: float = 0.0) -> None:
        self.refreshes.labels(outcome=outcome).inc()
        if outcome == "done":
            self.refresh_seconds.observe(seconds)

    def error(self, kind: str) -> None:
        self.errors.labels(kind=kind).inc()

    def count_passages(self, read: Callable[[], float]) -> None:
        """Read the knowledge base's size at each scrape, not at some past moment."""

        def passages() -> float:
            try:
                return float(read())
            except Exception:  # a scrape must never fail over one figure
                return float("nan")

        self.passages.set_function(passages)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
