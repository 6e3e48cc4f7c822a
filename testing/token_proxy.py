"""A reverse proxy on 127.0.0.1 that lets a request through to a real server only with the
right bearer token: how a Chroma server is guarded (Chroma 1.x checks no token itself).
Set `hang` and it takes requests but never answers: a server that hangs."""

from __future__ import annotations

import asyncio
import threading

import httpx
from aiohttp import web

from testing.chroma_server import free_port

# Headers a proxy must not pass on: they describe one connection, not the request.
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host",
        "content-encoding"}


class TokenProxy:
    def __init__(self, upstream: str, token: str) -> None:
        self.upstream = upstream
        self.token = token
        self.port = free_port()
        self.refused = 0  # requests without the token
        self.passed = 0
        self.hang = False
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _forward(self, request: web.Request) -> web.Response:
        while self.hang:
            await asyncio.sleep(0.1)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            self.refused += 1
            return web.json_response({"error": "Unauthorized"}, status=401)
        self.passed += 1
        async with httpx.AsyncClient(timeout=60) as client:
            answer = await client.request(
                request.method, f"{self.upstream}{request.path_qs}",
                content=await request.read(),
                headers={k: v for k, v in request.headers.items() if k.lower() not in _HOP})
        return web.Response(status=answer.status_code, body=answer.content,
                            headers={k: v for k, v in answer.headers.items()
                                     if k.lower() not in _HOP})

    def __enter__(self) -> TokenProxy:
        application = web.Application(client_max_size=256 * 1024 * 1024)
        application.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(application)
        started = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            assert self._runner is not None
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", self.port)
            self._loop.run_until_complete(site.start())
            started.set()
            self._loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def shutdown() -> None:
            if self._runner is not None:
                await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
