"""A local HTTP server (127.0.0.1, a free port) that misbehaves on purpose, for the fetch
bounds: an endless body, a body a byte at a time, redirects, a big HTML page."""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CHUNK = b"<p>" + b"policy " * 9000 + b"</p>\n"  # ~63 KB of HTML


class HostileServer:
    """Paths: /page (a small HTML page), /endless?mb=N (N MB of HTML, no length),
    /declared?mb=N (a Content-Length of N MB, then nothing), /drip?seconds=S (one byte
    every S seconds, forever), /redirect?to=URL (302 to URL), /html?mb=N (N MB of HTML
    paragraphs, with its length), /compressed?mb=N&encoding=E (N MB of zeros compressed
    as E: gzip, deflate; or any other name, sent as deflate under it)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                outer.requests.append(self.path)
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                # The fetcher hanging up is the point: no traceback for it.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    getattr(self, "_" + url.path.strip("/"), self._missing)(query)

            def _head(self, length: int | None, content_type: str = "text/html") -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if length is None:
                    self.send_header("Connection", "close")
                else:
                    self.send_header("Content-Length", str(length))
                self.end_headers()

            def _page(self, query: dict[str, str]) -> None:
                body = b"<html><head><title>Page</title></head><body><h1>Page</h1>" \
                       b"<p>Cloud costs rise every year, the finance team says.</p></body>"
                self._head(len(body))
                self.wfile.write(body)

            def _endless(self, query: dict[str, str]) -> None:
                self._head(None)
                for _ in range(int(float(query.get("mb", "800")) * 1024 * 1024 / len(CHUNK))):
                    self.wfile.write(CHUNK)

            def _declared(self, query: dict[str, str]) -> None:
                self._head(int(float(query.get("mb", "800")) * 1024 * 1024))
                self.wfile.write(b"<p>")

            def _drip(self, query: dict[str, str]) -> None:
                self._head(None)
                self.wfile.write(b"<p>")
                while True:
                    time.sleep(float(query.get("seconds", "2")))
                    self.wfile.write(b"x")
                    self.wfile.flush()

            def _redirect(self, query: dict[str, str]) -> None:
                self.send_response(302)
                self.send_header("Location", query["to"])
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _html(self, query: dict[str, str]) -> None:
                count = int(float(query.get("mb", "50")) * 1024 * 1024 / len(CHUNK))
                head = b"<html><head><title>Big</title></head><body>"
                self._head(len(head) + count * len(CHUNK) + len(b"</body></html>"))
                self.wfile.write(head)
                for _ in range(count):
                    self.wfile.write(CHUNK)
                self.wfile.write(b"</body></html>")

            def _compressed(self, query: dict[str, str]) -> None:
                """N MB of zeros, sent compressed as `encoding` (gzip by default): a
                bomb a few KB long."""
                encoding = query.get("encoding", "gzip")
                packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS
                                          if encoding == "gzip" else zlib.MAX_WBITS)
                left = int(float(query.get("mb", "400")) * 1024 * 1024)
                parts = []
                while left > 0:
                    parts.append(packer.compress(bytes(min(left, 1024 * 1024))))
                    left -= 1024 * 1024
                body = b"".join(parts) + packer.flush()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _missing(self, query: dict[str, str]) -> None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
