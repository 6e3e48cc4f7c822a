"""`/healthz` and Prometheus `/metrics` on POLICYBOT_METRICS_PORT (off by default)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.serving.metrics import Metrics
from bot.serving.platform import Adapter

log = logging.getLogger(__name__)

STORE_CHECK_SECONDS = 5.0
# How long a store check's verdict stands: each /healthz ran a live ping, so a monitor (or
# anyone who can reach the port) polling fast made as many store round trips. Requests
# that come while a check runs share it.
STORE_CHECK_FRESH_SECONDS = 10.0


class HealthServer:
    name = "health"

    def __init__(self, metrics: Metrics, store_check: Callable[[], None],
                 adapters: Sequence[Adapter], host: str, port: int) -> None:
        self.metrics = metrics
        self.store_check = store_check
        self.adapters = adapters
        self.host = host
        self.port = port
        self._checked: tuple[float, bool] | None = None  # when, and the verdict
        self._checking: asyncio.Future[bool] | None = None
        self._pinging: asyncio.Future[None] | None = None  # the store ping's thread

    async def healthy(self) -> bool:
        return True

    def app(self) -> web.Application:
        application = web.Application()
        application.router.add_get("/healthz", self._healthz)
        application.router.add_get("/metrics", self._metrics)
        return application

    async def run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(self.app())
        await runner.setup()
        await web.TCPSite(runner, self.host, self.port).start()
        log.info("health and metrics on %s:%d", self.host, self.port)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    async def _store_ok(self) -> bool:
        """The store's health, from a check at most STORE_CHECK_FRESH_SECONDS old."""
        now = time.monotonic()
        if self._checked is not None and now - self._checked[0] < STORE_CHECK_FRESH_SECONDS:
            return self._checked[1]
        if self._checking is None:
            self._checking = asyncio.ensure_future(self._check_store())
        checking = self._checking
        try:
            ok = await asyncio.shield(checking)
        finally:
            if self._checking is checking and checking.done():
                self._checking = None
        self._checked = (time.monotonic(), ok)
        return ok

    async def _check_store(self) -> bool:
        if self._pinging is not None and not self._pinging.done():
            # The last ping still waits for a store that does not answer: no second
            # thread beside it (they piled up on the shared default executor).
            log.warning("health check: the store has not answered the last check")
            return False
        self._pinging = asyncio.ensure_future(asyncio.to_thread(self.store_check))
        try:
            await asyncio.wait_for(asyncio.shield(self._pinging), STORE_CHECK_SECONDS)
            return True
        except Exception:
            log.warning("health check: the store is unreachable", exc_info=True)
            return False

    async def _healthz(self, request: web.Request) -> web.Response:
        store = await self._store_ok()
        adapters = {a.name: await a.healthy() for a in self.adapters}
        ok = store and all(adapters.values())
        body = {"status": "ok" if ok else "unhealthy",
                "store": "ok" if store else "unreachable",
                "adapters": {name: "connected" if up else "disconnected"
                             for name, up in adapters.items()}}
        return web.json_response(body, status=200 if ok else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=self.metrics.exposition(),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})
