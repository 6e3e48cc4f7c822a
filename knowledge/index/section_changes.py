"""What changed inside a changed document, by heading path ("Article 5 › 1(c) changed"):
the digest a refresh sends names sections, not passage ids. A section's text is its
passages' text in order; one whose text differs is changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# (section, paragraph, part, text), as the store keeps a passage.
Row = tuple[str, int, int, str]
OPENING = "(before the first heading)"


@dataclass(frozen=True)
class SectionChanges:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _texts(rows: Iterable[Row]) -> dict[str, str]:
    """Each section's text, sections in the order they first appear."""
    texts: dict[str, list[str]] = {}
    for section, _, _, text in sorted(rows, key=lambda row: (row[1], row[2])):
        texts.setdefault(section or OPENING, []).append(" ".join(text.split()))
    return {section: "\n".join(parts) for section, parts in texts.items()}


def section_changes(old: Iterable[Row], new: Iterable[Row]) -> SectionChanges:
    before, after = _texts(old), _texts(new)
    return SectionChanges(
        added=tuple(s for s in after if s not in before),
        changed=tuple(s for s in after if s in before and before[s] != after[s]),
        removed=tuple(s for s in before if s not in after))
