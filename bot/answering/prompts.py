"""Prompt templates from `prompts/`: commented text files loaded by name."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable

from bot.errors import ConfigurationError

log = logging.getLogger(__name__)


def _default_prompts_dir() -> Path:
    """The templates an installed package carries (the wheel maps the repository's
    prompts/ to bot/prompts), else the checkout's prompts/."""
    bot_dir = Path(__file__).resolve().parent.parent
    installed = bot_dir / "prompts"
    return installed if installed.is_dir() else bot_dir.parent / "prompts"


# `POLICYBOT_PROMPTS_DIR` points elsewhere.
DEFAULT_PROMPTS_DIR = _default_prompts_dir()
ROLES = {"system", "human"}
_ROLE_LINE = re.compile(r"^\[(\w+)\]\s*$")
_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


class PromptError(ConfigurationError):
    """A template is missing or malformed; the message names the file."""


def parse_template(text: str, where: str) -> list[tuple[str, str]]:
    """Comment lines dropped, split into (role, text) messages."""
    messages: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        role = _ROLE_LINE.match(line)
        if role:
            if role.group(1) not in ROLES:
                raise PromptError(f"{where}: unknown role [{role.group(1)}]")
            messages.append((role.group(1), []))
        elif messages:
            messages[-1][1].append(line)
        elif line.strip():
            raise PromptError(f"{where}: text before the first [system] or [human] line")
    if not messages:
        raise PromptError(f"{where}: no [system] or [human] message")
    return [(role, "\n".join(lines).strip()) for role, lines in messages]


def load_prompt(name: str, required: set[str], folder: Path = DEFAULT_PROMPTS_DIR,
                ) -> ChatPromptTemplate:
    path = folder / f"{name}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PromptError(f"prompt {path} cannot be read: {error.strerror}") from None
    messages = parse_template(text, str(path))
    found = {match for _, body in messages for match in _PLACEHOLDER.findall(body)}
    if found != required:
        missing, unknown = sorted(required - found), sorted(found - required)
        raise PromptError(f"{path}: placeholders differ (missing {missing}, unknown {unknown})")
    return ChatPromptTemplate.from_messages(messages)


def text_chain(name: str, required: set[str], model: BaseChatModel,
               folder: Path = DEFAULT_PROMPTS_DIR) -> Runnable[dict[str, Any], str]:
    """A template, the model, and its reply as text: every prompt's chain."""
    return load_prompt(name, required, folder) | model | StrOutputParser()


def run_prompt(chain: Runnable[dict[str, Any], str], inputs: dict[str, Any],
               what: str) -> str | None:
    """The model's reply as text, or None (logged) when it fails or says nothing: every
    caller has an answer without the model to fall back on."""
    return run_prompts(chain, [inputs], what)[0]


# Calls to the model at once when one command needs several (a check's claims).
MAX_CONCURRENT_CALLS = 4


def run_prompts(chain: Runnable[dict[str, Any], str], inputs: list[dict[str, Any]],
                what: str) -> list[str | None]:
    """`run_prompt` for several inputs, up to MAX_CONCURRENT_CALLS at a time: a check of
    ten claims waits for the slowest call, not for ten in a row."""
    if not inputs:
        return []
    replies = chain.batch(inputs, config={"max_concurrency": MAX_CONCURRENT_CALLS},
                          return_exceptions=True)
    results: list[str | None] = []
    for reply in replies:
        if isinstance(reply, Exception):
            log.warning("the language model failed %s (%s): %s", what,
                        type(reply).__name__, reply)
            results.append(None)
        elif not isinstance(reply, str) or not reply.strip():
            log.warning("the language model returned nothing usable %s", what)
            results.append(None)
        else:
            results.append(reply)
    return results
