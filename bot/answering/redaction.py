"""Secret values (keys, tokens, passwords from the settings) taken out of anything shown to
people or written to the log."""

from __future__ import annotations

from collections.abc import Sequence

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
