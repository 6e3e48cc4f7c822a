"""Which language a question is in, so the answer can be written in it."""

from __future__ import annotations

from knowledge import NAMES, detect


def question_language(text: str, default: str = "English") -> str:
    """The language whose function words the question uses most; `default` on a tie."""
    codes = {name: code for code, name in NAMES.items()}
    return NAMES.get(detect(text, codes.get(default, "en")), default)
