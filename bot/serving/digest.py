"""What a refresh changed, said once where the team reads it (POLICYBOT_ANNOUNCE) and in
the log: each document added, changed or removed, and for a changed one the sections
added, changed or removed by heading path; the sources that could not be read, and since
when. Plain text: the adapters render it as a notice."""

from __future__ import annotations

from bot.serving.render import when
from knowledge import KnowledgeState, RefreshSummary

# Sections named per changed document; the rest are counted.
MAX_SECTIONS = 12


def digest_text(summary: RefreshSummary, state: KnowledgeState, how: str) -> str:
    """The digest of one refresh; "" when no document was added, changed or removed."""
    if not (summary.added or summary.changed or summary.removed):
        return ""

    def title(source: str) -> str:
        entry = state.documents.get(source)
        return f"“{entry.title}” ({source})" if entry is not None else source

    lines = [f"The knowledge base changed ({how}): {len(summary.added)} added, "
             f"{len(summary.changed)} changed, {len(summary.removed)} removed."]
    lines += [f"• added: {title(source)}" for source in summary.added]
    for source in summary.changed:
        changes = summary.sections.get(source)
        said = [] if changes is None else [
            f"{section} {verb}" for verb, sections in (
                ("added", changes.added), ("changed", changes.changed),
                ("removed", changes.removed)) for section in sections]
        shown = "; ".join(said[:MAX_SECTIONS]) + (
            f"; and {len(said) - MAX_SECTIONS} more" if len(said) > MAX_SECTIONS else "")
        lines.append(f"• changed: {title(source)}" + (f": {shown}" if shown else ""))
    lines += [f"• removed: {source}" for source in summary.removed]
    for source, reason in summary.failed:
        failed = state.failed.get(source)
        worked = f"last read {when(failed.last_worked)}" if failed and failed.last_worked \
            else "never read"
        lines.append(f"• not read: {source}: {reason} ({worked}; its last copy stays)"
                     if failed and failed.last_worked else
                     f"• not read: {source}: {reason} ({worked})")
    return "\n".join(lines)
