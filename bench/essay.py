"""The seed essay as benchmarks use it: its knowledge base, its questions, and the
assistant's own answer time on them (the baseline a platform's figures are read against)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.serving.assistant import Assistant
from bot.serving.commands import Request
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig

REPO = Path(__file__).resolve().parent.parent


def questions() -> list[str]:
    """The answerable questions of eval/essay.jsonl."""
    lines = (REPO / "eval" / "essay.jsonl").read_text("utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    return [c["question"] for c in cases if not c.get("no_answer")]


def essay_knowledge(data_dir: Path) -> KnowledgeBase:
    """A knowledge base of the seeds, refreshed offline."""
    kb = KnowledgeBase(KnowledgeConfig(data_dir=data_dir, sources=(REPO / "seeds",),
                                       offline=True))
    kb.refresher.refresh()
    return kb


def assistant_seconds(kb: KnowledgeBase, texts: list[str]) -> list[float]:
    """Each question answered by the assistant alone (warm, no platform), in seconds."""
    assistant = Assistant(kb)
    assistant.handle(Request.of(texts[0]))  # warm the models, as a running bot is
    times = []
    for text in texts:
        started = time.perf_counter()
        assistant.handle(Request.of(text))
        times.append(time.perf_counter() - started)
    return times
