"""Refreshes on a schedule (POLICYBOT_REFRESH_EVERY), and the digest of every refresh that
changed documents, to the places in POLICYBOT_ANNOUNCE and to the log.

It runs beside the chat adapters in `policybot run`, as one of them: it answers nobody,
it only waits. A scheduled refresh takes the same lock as any other, so a refresh already
running (by command, or another process's) is left to finish and this turn is skipped. A
URL that fails keeps its last good copy (the URL cache), and the digest says since when.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Protocol

from bot.serving.assistant import Assistant
from bot.serving.digest import digest_text
from bot.serving.logs import STATUS
from knowledge import RefreshSummary

log = logging.getLogger(__name__)
status = logging.getLogger(STATUS)


class Announcing(Protocol):
    """An adapter that can post a digest to a place of its platform."""

    def owns(self, place: str) -> bool:
        """Whether `place` (a channel or room id) is of this adapter's platform."""

    async def announce(self, place: str, text: str) -> None:
        """Post `text` there as a notice."""


class Schedule:
    name = "schedule"

    def __init__(self, assistant: Assistant, every: float, places: Sequence[str],
                 adapters: Sequence[Announcing]) -> None:
        self.assistant = assistant
        self.every = every  # seconds; 0: no scheduled refresh, digests of others only
        self.places = tuple(places)
        self.adapters = tuple(adapters)
        self.runs = 0  # scheduled refreshes started (tests wait on it)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._posting: set[asyncio.Future[None]] = set()

    async def healthy(self) -> bool:
        return True

    async def run(self, stop: asyncio.Event) -> None:
        self._loop = asyncio.get_running_loop()
        self.assistant.refreshed.append(self._refreshed)
        try:
            while not stop.is_set():
                if self.every <= 0:
                    await stop.wait()
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.every)
                if stop.is_set():
                    break
                self.runs += 1
                said = await asyncio.to_thread(self.assistant.refresh, None, "scheduled")
                log.info("scheduled refresh: %s", said.splitlines()[-1] if said else "")
        finally:
            self.assistant.refreshed.remove(self._refreshed)
            if self._posting:
                await asyncio.wait(self._posting, timeout=30)

    def _refreshed(self, summary: RefreshSummary, how: str) -> None:
        """After a refresh (on the thread that ran it): the digest, if anything changed."""
        state = self.assistant.knowledge.state_file.current()
        text = digest_text(summary, state, how)
        if not text:
            return
        status.info("%s", text)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for place in self.places:
            # Each place reads of the documents it sees only (POLICYBOT_SCOPES).
            seen = digest_text(summary, state, how, self.assistant.scopes.get(place,
                                                                              frozenset()))
            if not seen:
                continue
            adapter = next((a for a in self.adapters if a.owns(place)), None)
            if adapter is None:
                log.warning("no running platform posts to %s (POLICYBOT_ANNOUNCE)", place)
                continue
            loop.call_soon_threadsafe(self._post, adapter, place, seen)

    def _post(self, adapter: Announcing, place: str, text: str) -> None:
        posting = asyncio.ensure_future(self._announce(adapter, place, text))
        self._posting.add(posting)
        posting.add_done_callback(self._posting.discard)

    async def _announce(self, adapter: Announcing, place: str, text: str) -> None:
        try:
            await adapter.announce(place, text)
        except Exception:  # the digest is in the log; one place failing stops no other
            log.warning("could not post the digest to %s", place, exc_info=True)
