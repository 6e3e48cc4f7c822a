"""`compare TOPIC`: who says what, each document's best passages cited, the silent ones
named. With a model configured, each position also gets one sentence stating it and the
comparison one line on where the documents agree or differ; both are checked like every
generated answer (a sentence citing none of its own document's passages is dropped)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from bot.answering.answers import Citation
from bot.answering.citing import cited_sentences
from bot.answering.delimiting import neutralise, passage_block
from bot.answering.extractive import cite
from bot.answering.language import question_language
from bot.answering.prompts import DEFAULT_PROMPTS_DIR, run_prompt, text_chain
from bot.answering.redaction import Redactor
from bot.answering.translation import QuestionTranslator, Translator
from knowledge import Position, Retriever, compare

# Documents whose positions a model states: those a chat message shows.
MAX_SUMMARISED = 5
_POSITION_LINE = re.compile(r"^\W*D\s*(\d+)\s*[:.)\]-]\s*(.+?)\s*$", re.IGNORECASE)
_AGREEMENT_LINE = re.compile(r"^\W*AGREEMENT\W*[:.-]\s*(.+?)\s*$", re.IGNORECASE)


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
        """With every secret taken out of what it shows."""
        return replace(
            self,
            positions=tuple(replace(
                p, title=redact(p.title),
                summary=redact(p.summary) if p.summary is not None else None,
                citations=tuple(redact.citation(c) for c in p.citations))
                for p in self.positions),
            silent=tuple((source, redact(title)) for source, title in self.silent),
            agreement=redact(self.agreement) if self.agreement is not None else None)


class PositionWriter:
    """A model's sentence per document and line on agreement, checked before use."""

    def __init__(self, model: BaseChatModel, prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> None:
        self.chain = text_chain("compare", {"documents", "topic", "language"}, model,
                                prompts_dir)
        self.translate = Translator(model, prompts_dir)
        self.translate_topic = QuestionTranslator(model, prompts_dir)

    def __call__(self, comparison: ComparisonAnswer,
                 positions: Sequence[Position]) -> ComparisonAnswer:
        stances = comparison.positions
        if not stances:
            return comparison
        shown = stances[:MAX_SUMMARISED]
        documents = []
        for d, (stance, position) in enumerate(zip(shown, positions, strict=False), start=1):
            blocks = "\n".join(passage_block(c.n, hit)
                               for c, hit in zip(stance.citations, position.hits, strict=True))
            documents.append(f'<document n="D{d}" title="{neutralise(stance.title)}">\n'
                             f"{blocks}\n</document>")
        reply = run_prompt(self.chain, {
            "documents": "\n\n".join(documents), "topic": neutralise(comparison.topic),
            "language": question_language(comparison.topic)}, "comparing positions")
        summaries: dict[int, str] = {}
        agreement: str | None = None
        for line in (reply or "").splitlines():
            position_line = _POSITION_LINE.match(line)
            agreement_line = _AGREEMENT_LINE.match(line)
            if position_line and 1 <= int(position_line.group(1)) <= len(shown):
                d = int(position_line.group(1))
                own = {c.n for c in shown[d - 1].citations}
                text, cited = cited_sentences(position_line.group(2), own)
                if cited:  # uncited, it is the model's word, not the document's
                    summaries.setdefault(d, text)
            elif agreement_line and len(shown) > 1:
                every = {c.n for s in shown for c in s.citations}
                text, cited = cited_sentences(agreement_line.group(1), every)
                if cited and agreement is None:
                    agreement = text
        # One translation call for every quote shown, not one per document.
        translated = iter(self.translate(
            [c for stance in shown for c in stance.citations], comparison.topic))
        return replace(comparison, agreement=agreement, positions=tuple(
            replace(stance, summary=summaries.get(d),
                    citations=tuple(next(translated) for _ in stance.citations))
            if d <= len(shown) else stance
            for d, stance in enumerate(stances, start=1)))


def compare_sources(retriever: Retriever, topic: str,
                    writer: PositionWriter | None = None) -> ComparisonAnswer:
    # With a model the topic is searched in each passage language's own words too
    # ("Geldbußen bei Verstößen" finds the English articles on fines).
    translations = (writer.translate_topic(topic, retriever.languages())
                    if writer is not None else None)
    comparison = compare(retriever, topic, translations=translations)
    stances, n = [], 1
    for position in comparison.positions:
        citations = []
        for hit in position.hits:
            citations.append(cite(n, hit, comparison.asked))
            n += 1
        stances.append(Stance(position.source, position.title, None, tuple(citations)))
    answer = ComparisonAnswer(topic, tuple(stances), tuple(comparison.silent))
    return writer(answer, comparison.positions) if writer is not None else answer
