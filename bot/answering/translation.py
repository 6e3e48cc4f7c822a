"""Across languages with a model: quotes in another language than the question's,
machine-translated beside the original, and the question put into the knowledge base's
other languages to search there.

Only with a model configured. The original is always shown and is what every check
matches; the translation is labelled as machine translation wherever it is shown. A
translated question is only searched with, never shown."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from bot.answering.answers import Citation
from bot.answering.delimiting import neutralise
from bot.answering.prompts import DEFAULT_PROMPTS_DIR, run_prompt, run_prompts, text_chain
from knowledge import NAMES, detect

LABEL = "Machine translation"
# A translation far longer, or far shorter, than its quote is not a translation.
MAX_GROWTH = 3
MIN_SHARE = 0.3
# A link, bare or in Slack's or Markdown's markup, or a bare domain ("evil.com/reset"):
# Slack and Element make each clickable.
_LINK = re.compile(r"(?:https?://|www\.|<[a-z]+:|\]\()[^\s<>|)\]]*"
                   r"|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/[^\s<>|)\]]*)?", re.IGNORECASE)


def faithful(translation: str, quote: str) -> bool:
    """Whether a model's text may stand beside a quote as its translation: of a
    translation's length, and with no link the quote does not have."""
    if not MIN_SHARE * len(quote) <= len(translation) <= MAX_GROWTH * len(quote) + 20:
        return False
    return _links(translation) <= _links(quote)


def _links(text: str) -> set[str]:
    return {link.group(0).rstrip(".,;:!?'\"").lower() for link in _LINK.finditer(text)}
_LINE = re.compile(r"^\s*(\d+)\s*[:.)]\s*(.+?)\s*$")


def foreign(citations: Sequence[Citation], asked: str) -> list[Citation]:
    """The citations whose passage is in another language than `asked`, the question's;
    none when that cannot be told ("": a topic of one noun, "Rechenleistung")."""
    if not asked:
        return []
    return [c for c in citations if c.language and c.language != asked and c.quote]


class Translator:
    def __init__(self, model: BaseChatModel, prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> None:
        self.chain = text_chain("translate", {"quotes", "language"}, model, prompts_dir)

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
            if faithful(text, citation.quote):
                translated.setdefault(citation.id + citation.quote, text)
        return tuple(replace(c, translation=translated.get(c.id + c.quote, ""))
                     if c in todo else c for c in citations)


class QuestionTranslator:
    """The question in each other language the knowledge base holds: e5 finds a passage
    best with a question in the passage's own language ("Wer benennt die kritischen
    IKT-Drittdienstleister?" misses DORA's "designate"; the English question finds it)."""

    def __init__(self, model: BaseChatModel, prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> None:
        self.chain = text_chain("search", {"question", "language"}, model, prompts_dir)

    def __call__(self, question: str, languages: Sequence[str]) -> dict[str, str]:
        """Language code -> the question in it, for each of a mixed knowledge base's
        `languages` the question is not in already (each when its language cannot be
        told). A failed or implausible translation is left out: the search then uses the
        question as asked."""
        if len(languages) < 2:
            # One language: no passages in the question's own language to be preferred
            # over the ones that answer, and e5 reads across languages well enough
            # (XQuAD EN->DE recall@1 0.93); the model call would only cost time.
            return {}
        asked = detect(question, "")
        wanted = [code for code in languages if code != asked and code in NAMES]
        replies = run_prompts(self.chain, [{"question": neutralise(question),
                                            "language": NAMES[code]} for code in wanted],
                              "translating the question")
        translated: dict[str, str] = {}
        for code, reply in zip(wanted, replies, strict=True):
            line = next((ln.strip().strip('"“”„«»').strip()
                         for ln in (reply or "").splitlines() if ln.strip()), "")
            if line and len(line) <= MAX_GROWTH * len(question) + 20:
                translated[code] = line
        return translated
