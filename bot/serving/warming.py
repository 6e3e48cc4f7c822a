"""Models loaded while the bot starts, not when the first question comes.

A fresh process loads e5 (~1 s: its float32 weights and vocabulary), USE for the
relevance judge, and the indexes a search builds once per knowledge-base snapshot; the
first questions paid for that: 0.7 s and 1.4 s on the dev corpus against ~50 ms warm.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from knowledge import KnowledgeBase, KnowledgeError

log = logging.getLogger(__name__)

# Asked of the knowledge base once, in both languages the judge and the glossary know.
WARM_UP = ("What does it say?", "Was steht darin?")


def warm_up(knowledge: KnowledgeBase,
            then: Callable[[], object] | None = None) -> threading.Thread:
    """Start loading in a background thread; questions asked meanwhile simply wait less.
    `then`: more to make once the models are loaded (help's examples)."""
    retriever = knowledge.retriever  # built here, once: not by two threads at the same time
    second = retriever.judge.second

    def load() -> None:
        started = time.perf_counter()
        try:
            for question in WARM_UP:
                retriever.search(question)
            retriever.prepare()
            if second is not None:
                second.embed_question(WARM_UP[0])
        except KnowledgeError as error:  # an empty or unreachable store: the questions say so
            log.info("models not warmed up: %s", error)
            return
        except Exception:
            log.warning("warming up the models failed; the first question loads them",
                        exc_info=True)
            return
        log.info("models ready in %.1f s", time.perf_counter() - started)
        if then is not None:
            then()

    thread = threading.Thread(target=load, name="warm-up", daemon=True)
    thread.start()
    return thread
