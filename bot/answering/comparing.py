"""`compare TOPIC`: who says what, each document's best passages cited, the silent ones
named. Extractive: each position is its passages' quotes (a model's one-sentence summary
per document is not built yet)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.answering.answers import Citation
from bot.answering.extractive import cite
from bot.answering.redaction import Redactor
from knowledge.comparison import compare
from knowledge.retrieval import Retriever


@dataclass(frozen=True)
class Stance:
    """One document's position on the topic."""

    source: str
    title: str
    summary: str | None  # a model's one sentence; None when extractive
    citations: tuple[Citation, ...]

    def to_json(self) -> dict[str, object]:
        return {"source": self.source, "title": self.title, "summary": self.summary,
                "citations": [c.to_json() for c in self.citations]}


@dataclass(frozen=True)
class ComparisonAnswer:
    topic: str
    positions: tuple[Stance, ...]  # most relevant first
    silent: tuple[tuple[str, str], ...]  # (source, title)
    agreement: str | None = None  # a model's line on where they agree or differ

    def to_json(self) -> dict[str, object]:
        """The `compare --json` contract."""
        return {"topic": self.topic, "positions": [p.to_json() for p in self.positions],
                "silent": [{"source": s, "title": t} for s, t in self.silent],
                "agreement": self.agreement}

    def redacted(self, redact: Redactor) -> ComparisonAnswer:
        """With every secret taken out of what it shows (titles and citations)."""
        return replace(
            self,
            positions=tuple(replace(p, title=redact(p.title), citations=tuple(
                redact.citation(c) for c in p.citations)) for p in self.positions),
            silent=tuple((source, redact(title)) for source, title in self.silent))


def compare_sources(retriever: Retriever, topic: str) -> ComparisonAnswer:
    comparison = compare(retriever, topic)
    stances, n = [], 1
    for position in comparison.positions:
        citations = []
        for hit in position.hits:
            citations.append(cite(n, hit, topic))
            n += 1
        stances.append(Stance(position.source, position.title, None, tuple(citations)))
    return ComparisonAnswer(topic, tuple(stances), tuple(comparison.silent))
