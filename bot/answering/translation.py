"""Quotes in another language than the question's, machine-translated beside the original.

Only with a model configured. The original is always shown and is what every check
matches; the translation is labelled as machine translation wherever it is shown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable

from bot.answering.answers import Citation
from bot.answering.delimiting import neutralise
from bot.answering.prompts import DEFAULT_PROMPTS_DIR, load_prompt, run_prompt
from knowledge.languages import NAMES, detect

LABEL = "Machine translation"
# A translation far longer than its quote is not a translation.
MAX_GROWTH = 3
_LINE = re.compile(r"^\s*(\d+)\s*[:.)]\s*(.+?)\s*$")


def foreign(citations: Sequence[Citation], asked: str) -> list[Citation]:
    """The citations whose passage is in another language than `asked`, the question's;
    none when that cannot be told ("": a topic of one noun, "Rechenleistung")."""
    if not asked:
        return []
    return [c for c in citations if c.language and c.language != asked and c.quote]


class Translator:
    def __init__(self, model: BaseChatModel, prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> None:
        self.chain: Runnable[dict[str, object], str] = (
            load_prompt("translate", {"quotes", "language"}, prompts_dir) | model
            | StrOutputParser())

    def __call__(self, citations: Sequence[Citation], question: str) -> tuple[Citation, ...]:
        """The citations, those in another language carrying a translation of their quote;
        unchanged when there are none or the model fails."""
        asked = detect(question, "")
        todo = foreign(citations, asked)
        if not todo:
            return tuple(citations)
        quotes = "\n".join(f'<quote n="{n}">{neutralise(c.quote)}</quote>'
                           for n, c in enumerate(todo, start=1))
        language = NAMES.get(asked, "English")
        reply = run_prompt(self.chain, {"quotes": quotes, "language": language},
                           "translating quotes")
        if reply is None:
            return tuple(citations)
        translated: dict[str, str] = {}
        for line in reply.splitlines():
            match = _LINE.match(line)
            if not match or not 1 <= int(match.group(1)) <= len(todo):
                continue
            citation = todo[int(match.group(1)) - 1]
            text = match.group(2).strip()
            if len(text) <= MAX_GROWTH * len(citation.quote) + 20:
                translated.setdefault(citation.id + citation.quote, text)
        return tuple(replace(c, translation=translated.get(c.id + c.quote, ""))
                     if c in todo else c for c in citations)
