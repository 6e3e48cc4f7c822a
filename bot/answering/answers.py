"""What flows between adapters and answering: questions, answers, citations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["extractive", "llm"]


@dataclass(frozen=True)
class Question:
    text: str
    user: str = ""
    platform: str = "terminal"
    # The scopes of the place asked in: only their documents and those of no scope are
    # searched, named or counted. None: every document, said explicitly by the command
    # line and the terminal; a question that says nothing sees no scope's (it fails closed).
    scopes: frozenset[str] | None = frozenset()


@dataclass(frozen=True)
class Citation:
    n: int
    id: str
    source: str
    title: str
    section: str
    paragraph: int
    text: str  # the whole cited passage
    quote: str  # the part of it the answer rests on
    url: str
    score: float
    language: str = ""  # the passage's language code
    translation: str = ""  # the quote machine-translated into the question's language

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "n": self.n, "id": self.id, "source": self.source, "title": self.title,
            "section": self.section, "text": self.text, "quote": self.quote,
            "url": self.url, "score": round(self.score, 4),
        }
        if self.translation:  # only with a model configured: the contract is otherwise
            data["translation"] = self.translation  # unchanged
        return data


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    grounded: bool
    mode: Mode = "extractive"
    citations: tuple[Citation, ...] = field(default=())
    note: str = ""  # a one-line remark shown under the answer (e.g. a fallback)

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "grounded": self.grounded,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
        }
