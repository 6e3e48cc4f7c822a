"""The legal vocabulary, English and German, written once: the kinds of act, the
institutions that adopt them, the words a question names acts by, and the months a date
is written with.

Passages use it to tell an act's title set as a heading ("REGULATION (EU) 2019/881 OF THE
EUROPEAN PARLIAMENT AND OF THE COUNCIL") from a heading of the text, and dates from
numbered headings; search to tell legal acts from other documents, and an act's name
from the words around it.
"""

from __future__ import annotations

import re

from knowledge.text.words import wordset

# The kinds of act the Union adopts, as a title names them ("Regulation (EU) 2024/2847",
# "Richtlinie (EU) 2022/2555", "Beschluss Nr. 768/2008/EG").
EU_ACTS = ("regulation", "directive", "decision", "verordnung", "richtlinie", "beschluss")
# A state's statutes: "Cyber Resilience Act" (an EU regulation too), "BSI-Gesetz".
STATUTES = ("act", "gesetz")
ACTS = EU_ACTS + STATUTES
# The institutions an act's title names as its authors ("OF THE EUROPEAN PARLIAMENT AND OF
# THE COUNCIL"; in German in the genitive: "DES EUROPÄISCHEN PARLAMENTS UND DES RATES").
INSTITUTIONS = ("parliament", "council", "commission", "parlament", "rat", "kommission")
# The kinds of act a name is written before ("Cyber Resilience Act", "KI-Verordnung"; a
# decision is known by its number), and each German one's English words.
NAMED_ACTS = ("act", "regulation", "directive")
NAMED_ACTS_IN_GERMAN = {"verordnung": ("regulation", "act"), "gesetz": ("act", "law"),
                        "richtlinie": ("directive",)}
# The Union, as a title or a name says where an act is from: a word of no act's own name.
UNION_WORDS = wordset("eu european union europäische europäischen")
# The words a question names legal acts by as a kind of document ("the regulation", "die
# Verordnung", "EU law"): not "decision", which a question uses for any decision.
GENRE_WORDS = wordset(
    "regulation regulations directive directives act law laws legislation verordnung "
    "verordnungen richtlinie richtlinien gesetz gesetze rechtsakt rechtsakte")


def alternatives(names: tuple[str, ...], case: str = "") -> str:
    """The names as one group of a pattern: as written, or in `case` "upper" or "title"."""
    written = {"upper": str.upper, "title": str.title}.get(case, str)
    return "(?:" + "|".join(written(name) for name in names) + ")"


# An act's title a converter set as a heading: its kind, then the institution it is of,
# in capitals. The text goes on under it (a footnote's title, a cited act's in an annex):
# neither a heading of the document nor the end of a footnote.
_ACT_TITLE = re.compile(alternatives(EU_ACTS, "upper") + r"\b.*"
                        + alternatives(INSTITUTIONS, "upper") + r"(?:E?S)?\b.*")


def is_act_title(text: str) -> bool:
    """Whether a line is an act's title in capitals ("REGULATION (EU) 2019/881 OF THE
    EUROPEAN PARLIAMENT AND OF THE COUNCIL")."""
    return _ACT_TITLE.fullmatch(text) is not None


# The months, English and German, as a date writes them ("2 August 2025", "1. Mai 2024").
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December", "Januar", "Februar", "März", "Mai",
          "Juni", "Juli", "Oktober", "Dezember")
MONTH = alternatives(MONTHS)
