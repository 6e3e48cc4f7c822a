"""Answers and knowledge-base listings as plain text for terminals and logs."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.answering.answers import Answer, Citation
from knowledge.refresh import RefreshSummary
from knowledge.state import KnowledgeState

Highlighter = Callable[[str], str]


def plain_highlight(text: str) -> str:
    return f"»{text}«"


def locator(citation: Citation) -> str:
    place = [citation.title or citation.source]
    if citation.section and citation.section != citation.title:
        place.append(citation.section)
    place.append(f"¶{citation.paragraph}")
    return " — ".join(place[:-1]) + f", {place[-1]}"


def highlighted_passage(citation: Citation, highlight: Highlighter) -> str:
    start = citation.text.find(citation.quote) if citation.quote else -1
    if start < 0:
        return citation.text
    end = start + len(citation.quote)
    return citation.text[:start] + highlight(citation.quote) + citation.text[end:]


def answer_text(answer: Answer, highlight: Highlighter = plain_highlight) -> str:
    lines = [answer.text]
    if answer.note:
        lines.append(f"({answer.note})")
    for citation in answer.citations:
        link = citation.url or citation.source
        lines.append("")
        lines.append(f"[{citation.n}] {locator(citation)} ({link})")
        lines.append(f"    {highlighted_passage(citation, highlight)}")
    return "\n".join(lines)


def when(timestamp: float) -> str:
    if not timestamp:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


def sources_text(state: KnowledgeState) -> str:
    if not state.documents:
        return "The knowledge base is empty. Run a refresh first."
    lines = [f"{len(state.documents)} documents, {state.passage_count} passages; "
             f"last refresh {when(state.refreshed_at)}; embedder {state.embedder}"]
    for entry in sorted(state.documents.values(), key=lambda e: e.source):
        lines.append(f"  {entry.passages:5d}  {entry.title}  ({entry.source})")
    return "\n".join(lines)


def refresh_text(summary: RefreshSummary) -> str:
    lines = []
    if summary.rebuilt_because:
        lines.append(summary.rebuilt_because)
    lines.append(f"Refresh done: {summary.line()}")
    for source, reason in summary.failed:
        lines.append(f"  failed: {source}: {reason}")
    for source, note in summary.notes:
        lines.append(f"  note: {source}: {note}")
    return "\n".join(lines)
