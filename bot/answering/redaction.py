"""Secret values (keys, tokens, passwords from the settings) taken out of anything shown to
people or written to the log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.answering.answers import Answer, Citation

REDACTED = "[redacted]"
# Shorter values would redact ordinary words; real tokens, keys and passwords are longer.
MIN_SECRET_CHARS = 8


class Redactor:
    def __init__(self, secrets: Sequence[str]) -> None:
        # Longest first: a secret containing another is replaced whole.
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len,
                              reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def answer(self, answer: Answer) -> Answer:
        """The answer with every secret taken out of its text, note and citations: an
        indexed file holding a token must not be quoted, extractive answers included."""
        if not self.secrets:
            return answer
        return replace(answer, question=self(answer.question), text=self(answer.text),
                       note=self(answer.note),
                       citations=tuple(self.citation(c) for c in answer.citations))

    def citation(self, citation: Citation) -> Citation:
        """Every shown field of a citation, secrets taken out (answers, comparisons and
        checks all cite this way)."""
        if not self.secrets:
            return citation
        return replace(citation, text=self(citation.text), quote=self(citation.quote),
                       title=self(citation.title), section=self(citation.section),
                       url=self(citation.url), translation=self(citation.translation))
