"""`help`'s examples, taken from the knowledge base's own documents: a heading asked about,
a heading's topic compared, a sentence checked. Each is tried before it is shown (the
extractive answerer, without a model), so every example works as typed; the examples
are made once per refresh.

The fixed examples help had before were about the Cyber Resilience Act, which the default
knowledge base does not hold: "compare incident reporting" answered that no source says
anything.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from knowledge import KnowledgeBase, PassageHit, compare, detect, split_sentences

log = logging.getLogger(__name__)

# Documents, and passages of each, tried for examples: a few searches at the first help
# after a refresh.
DOCUMENTS_TRIED = 3
PASSAGES_TRIED = 8
# After a failure (a store down), help goes without examples this long before trying again.
RETRY_SECONDS = 60.0
# Candidates tried per example, at most (each a search, or a comparison).
TRIES = 6
# "Article 14: Reporting obligations", "§ 8a: Sicherheit": the heading without its number.
_NUMBERED = re.compile(r"^(?:Article|Artikel|Art\.|§+|Section|Chapter|Kapitel|Annex|Anhang|"
                       r"Recital|Erwägungsgrund|Title|Titel|Part|Teil)\s*[\dIVXLC]+[a-z]?"
                       r"\s*[:.–-]\s*", re.IGNORECASE)
# A checked sentence this long reads as one claim in a help text.
CLAIM_WORDS = (6, 24)
_WORD = re.compile(r"[\w„“\"'’-]+")


@dataclass(frozen=True)
class Examples:
    question: str = ""
    topic: str = ""
    claim: str = ""


class HelpExamples:
    """The examples for the knowledge base as it is now, made again after a refresh."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self._made: tuple[float, Examples] | None = None
        self._lock = threading.Lock()
        self._maker: threading.Thread | None = None  # one at a time
        self._starting = threading.Lock()
        self._failed_at = 0.0  # the store was down: not tried again at once

    def current(self, wait: bool = True) -> Examples:
        """The examples for the knowledge base as it is; not `wait`ing, none until they
        are made (they are then made in the background: a few seconds of searches)."""
        try:
            state = self.knowledge.state_file.current()
        except Exception:
            log.warning("help: the knowledge state cannot be read", exc_info=True)
            return Examples()
        made = self._made
        if made is not None and made[0] == state.refreshed_at:
            return made[1]
        if time.monotonic() - self._failed_at < RETRY_SECONDS:
            return Examples()
        if not wait:
            with self._starting:  # not the maker's lock: that one is held for seconds
                if self._maker is None or not self._maker.is_alive():
                    self._maker = threading.Thread(target=self.current, daemon=True,
                                                   name="help-examples")
                    self._maker.start()
            return Examples()
        with self._lock:  # one maker at a time; the others wait for its examples
            if self._made is None or self._made[0] != state.refreshed_at:
                try:
                    self._made = (state.refreshed_at, self._make())
                except Exception:  # a store down: help still answers, without examples
                    log.warning("help: no examples from the knowledge base", exc_info=True)
                    self._failed_at = time.monotonic()
                    return Examples()
            return self._made[1]

    def _make(self) -> Examples:
        # Help is the same in every channel: only what every channel sees (no scope's).
        retriever = self.knowledge.retriever.scoped(frozenset())
        state = retriever.state()
        largest = sorted(state.documents.values(), key=lambda d: (-d.passages, d.source))
        hits = [hit for document in largest[:DOCUMENTS_TRIED]
                for hit in [h for h in retriever.search(document.title, k=10).hits
                            if h.source == document.source][:PASSAGES_TRIED]]
        headings = list(dict.fromkeys(
            heading for hit in hits
            if (heading := _NUMBERED.sub("", hit.section.split(" › ")[-1]).strip()) and
            not any(c.isdigit() for c in heading)))
        # A heading that asks a question is the best example of one.
        headings.sort(key=lambda heading: not heading.endswith("?"))
        answerer = Answerer(retriever)
        asked = islice((q for heading in headings for q in _questions(heading)), TRIES)
        question = next((q for q in asked
                         if answerer.answer(Question(q)).grounded), "")
        topics = islice(dict.fromkeys(t for heading in headings for t in _topics(heading)),
                        TRIES)
        topic = next((t for t in topics if compare(retriever, t).positions), "")
        claim = next((c for hit in hits if (c := _claim(hit))), "")
        return Examples(question, topic, claim)


def _questions(heading: str) -> Iterator[str]:
    """Questions a heading suggests: itself where it asks one, else about it."""
    if len(heading.split()) < 2 or heading[:1].isdigit() or heading.startswith("("):
        return
    if heading.endswith("?"):
        yield heading
    elif detect(heading, "en") == "de":
        yield f"Was steht in den Quellen zu {heading}?"
    else:
        yield f"What is said about {heading[0].lower() + heading[1:]}?"


def _topics(heading: str) -> Iterator[str]:
    """A heading's long words (German compounds, English terms), longest first, each
    also without its last part ("Open-Source-Rennen": "Open Source"); then the heading."""
    words = sorted((w.strip("„“\"'’-") for w in _WORD.findall(heading)),
                   key=lambda w: (-len(w), w))
    for word in words:
        if len(word) < 6 or any(q in word for q in "„“\"'’"):
            continue
        yield word
        parts = word.split("-")
        if len(parts) > 2:
            yield " ".join(parts[:-1])
    if 2 <= len(heading.split()) <= 6 and not heading.endswith("?"):
        yield heading


def _claim(hit: PassageHit) -> str:
    """A statement of the passage to check: a sentence of a claim's length."""
    low, high = CLAIM_WORDS
    return next((s.strip() for s in split_sentences(hit.text)
                 if low <= len(s.split()) <= high and not s.rstrip().endswith("?")), "")
