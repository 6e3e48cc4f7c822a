"""What a question asks, read once: in search, which carries it on its result to the
answerer (which once read the question again for every passage it quoted)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from knowledge.search.answer_kinds import Held, Kind, answer_kind, defined_term, held_kind
from knowledge.search.naming import Named, Titles
from knowledge.search.references import Reference, in_context, references_in
from knowledge.text.languages import detect

# Provisions of one question looked up ("Articles 1, 2, 3, ..., 400" reads no more).
MAX_REFERENCES = 5
_NOTHING_NAMED = Named(frozenset(), frozenset())


@dataclass(frozen=True)
class Asked:
    text: str
    language: str  # as detected: "en", "de", ... ("" when too short to tell)
    kind: Kind  # the kind of thing it asks for: a time, a quantity, a demand ("" if none)
    term: str  # the term it asks the meaning of ("" if none)
    # What only a passage holding one answers: a person's name, a sum, a share ("").
    held: Held = ""
    named: Named = _NOTHING_NAMED  # the documents it names
    references: tuple[Reference, ...] = ()  # the provisions it cites by number
    # Its words in English, through the dictionary (a German question where English
    # passages are in the knowledge base); "" if none.
    gloss: str = ""
    # The term as each passage language's glossary words it (see Retriever).
    defined: Mapping[str, str] = field(default_factory=dict)


def read_question(text: str, titles: Titles | None = None,
                  earlier: Sequence[str] = ()) -> Asked:
    """What the text alone says it asks; with the documents' `titles`, which of them it
    names; `earlier`: the thread's earlier questions, latest last: a provision asked for
    without naming its act ("And Article 15?") is one of the act they named last."""
    named = titles.named_in(text) if titles is not None else _NOTHING_NAMED
    references = [] if named.foreign else in_context(references_in(text)[:MAX_REFERENCES],
                                                     earlier)
    if titles is not None and references and not named.sources:
        named = next((before for before in map(titles.named_in, reversed(earlier))
                      if before.sources), named)
    return Asked(text, detect(text), answer_kind(text), defined_term(text), held_kind(text),
                 named, tuple(references))
