"""What a refresh changed, said once where the team reads it (POLICYBOT_ANNOUNCE) and in
the log: each document added, changed or removed, and for a changed one the sections
added, changed or removed by heading path; the sources that could not be read, and since
when. Plain text: the adapters render it as a notice."""

from __future__ import annotations

from dataclasses import replace

from bot.serving.render import when
from knowledge import KnowledgeState, RefreshSummary, scope_reaches

# Sections named per changed document; the rest are counted.
MAX_SECTIONS = 12


def seen_summary(summary: RefreshSummary, state: KnowledgeState,
                 scopes: frozenset[str] | None) -> RefreshSummary:
    """A refresh's summary as a place with these scopes may read it (None: all of it):
    only the documents and failures it sees; a document whose earlier version it could
    not see is new to it (added, no sections named: they would tell of that version)."""
    if scopes is None:
        return summary
    view = state.visible(scopes)

    def saw(earlier: tuple[str, ...]) -> bool:
        return scope_reaches(scopes, earlier)

    changed = [s for s in summary.changed if s in view.documents]
    return replace(
        summary,
        added=[s for s in summary.added if s in view.documents] +
        [s for s in changed if not saw(summary.previous_scopes.get(s, ()))],
        changed=[s for s in changed if saw(summary.previous_scopes.get(s, ()))],
        removed=[s for s in summary.removed if saw(summary.removed_scopes.get(s, ()))],
        unchanged=[s for s in summary.unchanged if s in view.documents],
        failed=[(s, r) for s, r in summary.failed if s in view.failed or s not in state.failed],
        notes=[(s, n) for s, n in summary.notes if s in view.documents or saw(
            summary.removed_scopes.get(s, ()))],
        passages=view.passage_count,
        words={s: w for s, w in summary.words.items() if s in view.documents},
        sections={s: c for s, c in summary.sections.items() if s in view.documents and
                  saw(summary.previous_scopes.get(s, ()))})


def digest_text(summary: RefreshSummary, state: KnowledgeState, how: str,
                scopes: frozenset[str] | None = None) -> str:
    """The digest of one refresh as a place with these scopes may read it (None: all of
    it, for the log); "" when it saw no document added, changed or removed."""
    seen = seen_summary(summary, state, scopes)
    if not (seen.added or seen.changed or seen.removed):
        return ""

    def title(source: str) -> str:
        entry = state.documents.get(source)
        return f"“{entry.title}” ({source})" if entry is not None else source

    lines = [f"The knowledge base changed ({how}): {len(seen.added)} added, "
             f"{len(seen.changed)} changed, {len(seen.removed)} removed."]
    lines += [f"• added: {title(source)}" for source in seen.added]
    for source in seen.changed:
        changes = seen.sections.get(source)
        said = [] if changes is None else [
            f"{section} {verb}" for verb, sections in (
                ("added", changes.added), ("changed", changes.changed),
                ("removed", changes.removed)) for section in sections]
        shown = "; ".join(said[:MAX_SECTIONS]) + (
            f"; and {len(said) - MAX_SECTIONS} more" if len(said) > MAX_SECTIONS else "")
        lines.append(f"• changed: {title(source)}" + (f": {shown}" if shown else ""))
    lines += [f"• removed: {source}" for source in seen.removed]
    for source, reason in seen.failed:
        failed = state.failed.get(source)
        worked = f"last read {when(failed.last_worked)}" if failed and failed.last_worked \
            else "never read"
        lines.append(f"• not read: {source}: {reason} ({worked}; its last copy stays)"
                     if failed and failed.last_worked else
                     f"• not read: {source}: {reason} ({worked})")
    return "\n".join(lines)
