"""Fetching URL sources within bounds: a size cap checked while the body streams in, one
deadline for the whole fetch (a server dripping a byte every 2 s once held a refresh and its
lock indefinitely: a per-read timeout never fired), and no redirect from a public address
to a loopback, private or link-local one (judged on the address actually connected to, so
a public name resolving inward is caught too). A URL the manifest names directly may be an
intranet address: that is the admin's choice."""

from __future__ import annotations

import ipaddress
import time
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import httpcore
import httpx

from knowledge.core.errors import SourceError

MAX_REDIRECTS = 5
Address = tuple[str, int]


class FetchRefused(SourceError):
    """A fetch stopped by a bound; a cached copy, if any, is kept."""


def is_internal(address: Address) -> bool:
    """Whether an address is loopback, private, link-local or otherwise not public."""
    try:
        ip = ipaddress.ip_address(address[0].split("%", 1)[0])
    except ValueError:
        return True  # not an address we can judge: not trusted as public
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address carried in IPv6 (mapped, 6to4, Teredo) is judged as itself.
        teredo = ip.teredo
        inner = ip.ipv4_mapped or ip.sixtofour or (teredo[1] if teredo else None)
        if inner is not None:
            ip = inner
    # Not global: loopback, private, link-local, shared (100.64/10, cloud metadata
    # 100.100.100.200), documentation, reserved.
    return not ip.is_global or ip.is_multicast


class _GuardedBackend(httpcore.NetworkBackend):
    """Checks each connection's peer before a request is sent on it: once a fetch has
    started at a public address, an internal peer is refused (the TCP connection is made,
    nothing is asked of it)."""

    def __init__(self, inner: httpcore.NetworkBackend,
                 internal: Callable[[Address], bool]) -> None:
        self.inner = inner
        self.internal = internal
        self.public_only = False
        self.started_public: bool | None = None

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        stream = self.inner.connect_tcp(host, port, timeout, local_address, socket_options)
        peer = stream.get_extra_info("server_addr")
        internal = not peer or self.internal((str(peer[0]), int(peer[1])))
        if self.public_only and internal:
            stream.close()
            raise FetchRefused(f"{host} is a private or local address; only public "
                               "addresses are fetched from the chat")
        if self.started_public is None:
            self.started_public = not internal
        elif self.started_public and internal:
            stream.close()
            raise FetchRefused("redirected from a public address to an internal one "
                               f"({peer[0] if peer else host}); not followed")
        return stream

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        raise FetchRefused("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class BoundedFetcher:
    def __init__(self, timeout: float, max_bytes: int,
                 internal: Callable[[Address], bool] = is_internal,
                 public_only: bool = False, limit_name: str = "POLICYBOT_FETCH_MAX_MB") -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.internal = internal
        # A URL someone pastes into the chat may not reach inward at all (the manifest's
        # may: the admin chose it).
        self.public_only = public_only
        self.limit_name = limit_name

    def _too_slow(self) -> FetchRefused:
        return FetchRefused(f"took longer than {self.timeout:g} s in all "
                            "(POLICYBOT_FETCH_TIMEOUT)")

    def _too_large(self) -> FetchRefused:
        return FetchRefused(f"larger than {self.max_bytes / 1048576:g} MB "
                            f"({self.limit_name})")

    def __call__(self, url: str) -> tuple[bytes, str]:
        deadline = time.monotonic() + self.timeout
        # Compressed bodies are inflated here, within the size cap (httpx would inflate a
        # zstd chunk of 64 KB to gigabytes before the cap is looked at).
        headers = {"User-Agent": "policybot (knowledge refresh)",
                   "Accept-Encoding": "gzip, deflate"}
        transport = httpx.HTTPTransport()
        # httpx has no setting for the network backend; its pool keeps it here.
        pool = transport._pool
        backend = _GuardedBackend(pool._network_backend, self.internal)
        backend.public_only = self.public_only
        pool._network_backend = backend
        with httpx.Client(follow_redirects=False, headers=headers,
                          transport=transport) as client:
            for _ in range(MAX_REDIRECTS + 1):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._too_slow()
                try:
                    with client.stream("GET", url, timeout=httpx.Timeout(remaining)) as response:
                        if response.is_redirect:
                            url = urljoin(url, response.headers.get("location", ""))
                            continue
                        response.raise_for_status()
                        return self._body(response, deadline), \
                            response.headers.get("content-type", "")
                except httpx.TimeoutException as error:
                    if time.monotonic() >= deadline - 0.05:
                        raise self._too_slow() from error
                    raise
        raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")

    def _body(self, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large()
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in _INFLATE:
            raise FetchRefused(f"sent compressed as {encoding!r}, which is not read")
        inflate = _INFLATE[encoding]()
        body = bytearray()
        for chunk in response.iter_raw():
            pending = chunk
            while pending:
                # At most one byte past the cap per step: a bomb stops at the cap.
                body += inflate.decompress(pending, self.max_bytes + 1 - len(body))
                pending = inflate.unconsumed_tail
                if len(body) > self.max_bytes:
                    raise self._too_large()
            if time.monotonic() > deadline:
                raise self._too_slow()
        return bytes(body)


class _Identity:
    unconsumed_tail = b""

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        return data


# What a body may be compressed as, and how it is inflated, boundedly.
_INFLATE: dict[str, Callable[[], Any]] = {
    "identity": _Identity, "": _Identity,
    "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "deflate": zlib.decompressobj,
}
