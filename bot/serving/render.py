"""Answers and knowledge-base listings as plain text, and the pieces every format shares:
the place a citation points to, its passage with the quote marked, text cut to a limit."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping

from bot.answering.answers import Answer, Citation
from bot.answering.checking import CheckResult
from bot.answering.comparing import ComparisonAnswer
from bot.answering.translation import LABEL
from knowledge import AddedDocument, KnowledgeState, RefreshSummary

Highlighter = Callable[[str], str]


def plain_highlight(text: str) -> str:
    return f"»{text}«"


def unchanged(text: str) -> str:
    return text


# Terminal control: escape sequences (CSI, OSC, ...) and the other C0/C1 controls. A
# passage holding them could move the cursor, retitle the window or hide text.
_CONTROL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?"
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe to write to a terminal: control characters out, newlines and tabs kept."""
    return _CONTROL.sub("", text)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters; a cut is marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def locator(citation: Citation) -> str:
    place = [citation.title or citation.source]
    if citation.section and citation.section != citation.title:
        place.append(citation.section)
    place.append(f"¶{citation.paragraph}")
    return " — ".join(place[:-1]) + f", {place[-1]}"


def marked_passage(citation: Citation, mark: Highlighter, escape: Highlighter = unchanged,
                   limit: int | None = None) -> str:
    """The cited passage with its white space folded, cut to `limit` characters, escaped
    for the format, and the quote the answer rests on marked (its first occurrence)."""
    text = " ".join(citation.text.split())
    if limit is not None:
        text = cut(text, limit)
    quote = " ".join(citation.quote.split())
    start = text.find(quote) if quote else -1
    if start < 0:
        return escape(text)
    end = start + len(quote)
    return escape(text[:start]) + mark(escape(quote)) + escape(text[end:])


def translation_line(citation: Citation) -> str:
    """The quote's machine translation, labelled as such ("" when there is none)."""
    return f"{LABEL}: {citation.translation}" if citation.translation else ""


def cited_lines(citation: Citation, highlight: Highlighter, escape: Highlighter,
                indent: str = "  ") -> list[str]:
    """A citation under a position or claim: where it is, then its passage."""
    lines = [escape(f"{indent}[{citation.n}] {locator(citation)}"),
             f"{indent}    {marked_passage(citation, highlight, escape)}"]
    if citation.translation:
        lines.append(escape(f"{indent}    ({translation_line(citation)})"))
    return lines


def answer_text(answer: Answer, highlight: Highlighter = plain_highlight,
                escape: Highlighter = unchanged) -> str:
    lines = [escape(answer.text)]
    if answer.note:
        lines.append(escape(f"({answer.note})"))
    for citation in answer.citations:
        link = citation.url or citation.source
        lines.append("")
        lines.append(escape(f"[{citation.n}] {locator(citation)} ({link})"))
        lines.append(f"    {marked_passage(citation, highlight, escape)}")
        if citation.translation:
            lines.append(escape(f"    ({translation_line(citation)})"))
    return "\n".join(lines)


def comparison_text(comparison: ComparisonAnswer, highlight: Highlighter = plain_highlight,
                    escape: Highlighter = unchanged, most: int | None = None) -> str:
    """Document by document; beyond `most` positions the rest are only named."""
    shown = comparison.positions[:most] if most else comparison.positions
    if not comparison.positions:
        lines = [escape(f"None of the sources says anything about “{comparison.topic}”.")]
    else:
        lines = [escape(f"What the sources say about “{comparison.topic}”:")]
    for stance in shown:
        lines += ["", escape(f"{stance.title} ({stance.source})")]
        if stance.summary:
            lines.append(escape(stance.summary))
        for citation in stance.citations:
            lines += cited_lines(citation, highlight, escape)
    rest = comparison.positions[len(shown):]
    if rest:
        lines += ["", escape("Also: " + "; ".join(s.title for s in rest))]
    if comparison.agreement:
        lines += ["", escape(comparison.agreement)]
    if comparison.silent and comparison.positions:
        lines += ["", escape("Silent: " + "; ".join(title for _, title in comparison.silent))]
    return "\n".join(lines)


def check_text(result: CheckResult, highlight: Highlighter = plain_highlight,
               escape: Highlighter = unchanged) -> str:
    if not result.claims:
        return escape("I found no statement to check in that text.")
    lines = [escape(result.note)] if result.note else []
    for number, claim in enumerate(result.claims, start=1):
        lines += ["", escape(f"Claim {number}: {claim.claim}")]
        if claim.verdict:
            lines.append(escape(f"Verdict: {claim.verdict}"))
        if claim.note:
            lines.append(escape(f"({claim.note})"))
        for citation in claim.citations:
            lines += cited_lines(citation, highlight, escape)
    return "\n".join(lines)


def when(timestamp: float) -> str:
    if not timestamp:
        return "never"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


def counted(count: int, thing: str) -> str:
    """"1 document", "2 documents"."""
    return f"{count:,} {thing}" if count == 1 else f"{count:,} {thing}s"


def sources_text(state: KnowledgeState,
                 added: Mapping[str, AddedDocument] | None = None) -> str:
    """The documents, each with its passages and when it was read; one added from the chat
    also with who added it, when and where."""
    added = added or {}
    lines = [f"{counted(len(state.documents), 'document')}, "
             f"{counted(state.passage_count, 'passage')}; last refresh "
             f"{when(state.refreshed_at)}; embedder {state.embedder or 'none yet'}"
             if state.documents else "The knowledge base is empty. Run a refresh first."]
    for entry in sorted(state.documents.values(), key=lambda e: e.source):
        by = added.get(entry.source)
        origin = f"added by {by.added_by} {when(by.added_at)} in {by.where}" \
            f"{f' from {by.url}' if by.url else ''}" if by is not None else \
            f"read {when(entry.read_at or entry.refreshed_at)}"
        scoped = f"; scopes: {', '.join(entry.scopes)}" if entry.scopes else ""
        lines.append(f"  {entry.passages:5d}  {entry.title}  ({entry.source}; {origin}"
                     f"{scoped})")
    if state.failed:
        lines.append(f"Not read at the last refresh: {counted(len(state.failed), 'source')}")
    for source, failed in sorted(state.failed.items()):
        worked = f"last read {when(failed.last_worked)}" if failed.last_worked \
            else "never read"
        lines.append(f"  {source}: {failed.reason} ({worked})")
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
