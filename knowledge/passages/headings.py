"""The heading path a passage carries ("Article 14 › 2(b)", "§ 3: Meldepflichten › (1)"):
written by the structure reader, read by references, search and the answerer."""

from __future__ import annotations

import re

PATH_SEPARATOR = " › "
# The heading path of a regulation's recitals: they explain; the articles hold the rule.
RECITALS = "Recitals"
PART = re.compile(r"(?:PART|Part|TEIL|Teil)\b")  # a part heading: a chapter, or an annex's


def is_recital(section: str) -> bool:
    return section.startswith(RECITALS)
