"""How many of a document's words its passages keep: what a refresh reports for each
document, and what shows text lost at ingestion (a running-header rule once dropped the
opening words of statutes' sections, and front matter became a passage)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from knowledge.core.documents import SourceDocument
from knowledge.reading.formats import ReadText
from knowledge.text.words import words


@dataclass(frozen=True)
class KeptWords:
    read: int  # the words of the document's running text as its format gave them
    kept: int  # how many of those its passages hold (text, heading paths, title)

    @property
    def lost(self) -> int:
        return self.read - self.kept


def _words(text: str) -> Counter[str]:
    return Counter(words(text))


def kept_words(text: ReadText, document: SourceDocument) -> KeptWords:
    """Words of the text's lines that are not headings (a heading goes into the heading
    paths, where it is counted as kept too), against the document's passages. What a
    passage holds twice is counted once: this counts words lost, not words added."""
    read: Counter[str] = Counter()
    for line in text.lines:
        if line.level == 0:
            read += _words(line.text)
    passages = _words(" ".join([document.title, *{block.section for block in document.blocks},
                                *(block.text for block in document.blocks)]))
    return KeptWords(sum(read.values()), sum((read & passages).values()))
