"""What a refresh changed, said once where the team reads it (POLICYBOT_ANNOUNCE) and in
the log: each document added, changed or removed, and for a changed one the sections
added, changed or removed by heading path; the sources that could not be read, and since
when. Plain text: the adapters render it as a notice."""

from __future__ import annotations

from bot.serving.render import when
from knowledge import KnowledgeState, RefreshSummary

# Sections named per changed document; the rest are counted.
MAX_SECTIONS = 12


def digest_text(summary: RefreshSummary, state: KnowledgeState, how: str,
                scopes: frozenset[str] | None = None) -> str:
    """The digest of one refresh as a place with these scopes may read it (None: all of
    it, for the log); "" when it saw no document added, changed or removed."""
    view = state.visible(scopes)
    added = [source for source in summary.added if source in view.documents]
    changed = [source for source in summary.changed if source in view.documents]
    removed = [source for source in summary.removed
               if scopes is None or not summary.removed_scopes.get(source)
               or not scopes.isdisjoint(summary.removed_scopes[source])]
    unread = [(source, reason) for source, reason in summary.failed
              if source in view.failed or source not in state.failed]
    if not (added or changed or removed):
        return ""

    def title(source: str) -> str:
        entry = state.documents.get(source)
        return f"“{entry.title}” ({source})" if entry is not None else source

    lines = [f"The knowledge base changed ({how}): {len(added)} added, "
             f"{len(changed)} changed, {len(removed)} removed."]
    lines += [f"• added: {title(source)}" for source in added]
    for source in changed:
        changes = summary.sections.get(source)
        said = [] if changes is None else [
            f"{section} {verb}" for verb, sections in (
                ("added", changes.added), ("changed", changes.changed),
                ("removed", changes.removed)) for section in sections]
        shown = "; ".join(said[:MAX_SECTIONS]) + (
            f"; and {len(said) - MAX_SECTIONS} more" if len(said) > MAX_SECTIONS else "")
        lines.append(f"• changed: {title(source)}" + (f": {shown}" if shown else ""))
    lines += [f"• removed: {source}" for source in removed]
    for source, reason in unread:
        failed = state.failed.get(source)
        worked = f"last read {when(failed.last_worked)}" if failed and failed.last_worked \
            else "never read"
        lines.append(f"• not read: {source}: {reason} ({worked}; its last copy stays)"
                     if failed and failed.last_worked else
                     f"• not read: {source}: {reason} ({worked})")
    return "\n".join(lines)
