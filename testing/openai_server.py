"""A small OpenAI-compatible server on 127.0.0.1 for the tests: `/embeddings` and
`/chat/completions`, with scripted chat replies, recording every request."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class ChatReply:
    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering (for timeouts)
    raw: bytes | None = None  # sent as is instead of a chat completion (for garbage)


Script = Callable[[list[dict[str, Any]]], ChatReply]


def completion(model: str, text: str) -> bytes:
    return json.dumps({
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }).encode()


class OpenAIServer:
    def __init__(self, dim: int = 8) -> None:
        self.dim = dim
        self.requests: list[dict[str, Any]] = []
        self.mode = "ok"  # embeddings: "ok", "error" (HTTP 500) or "garbage"
        self.replies: list[ChatReply] = []  # chat replies, used in order
        self.script: Script | None = None  # or computed from the messages
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "body": body,
                                        "auth": self.headers.get("Authorization", "")})
                if self.path.endswith("/chat/completions"):
                    self.chat(body)
                else:
                    self.embeddings(body)

            def chat(self, body: dict[str, Any]) -> None:
                reply = server.next_reply(body["messages"])
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self.send(reply.status, b'{"error": {"message": "scripted failure"}}')
                    return
                self.send(200, reply.raw if reply.raw is not None
                          else completion(body.get("model", ""), reply.text))

            def embeddings(self, body: dict[str, Any]) -> None:
                if server.mode == "error":
                    self.send(500, b"{}")
                    return
                if server.mode == "garbage":
                    self.send(200, b"{\"data\": \"nope\"}")
                    return
                rows = [{"index": i, "embedding": server.vector(text)}
                        for i, text in enumerate(body["input"])]
                self.send(200, json.dumps({"data": rows[::-1]}).encode())  # order by index

            def send(self, status: int, payload: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def next_reply(self, messages: list[dict[str, Any]]) -> ChatReply:
        if self.replies:
            return self.replies.pop(0)
        if self.script is not None:
            return self.script(messages)
        return ChatReply(status=500)

    def chat_requests(self) -> list[list[dict[str, Any]]]:
        return [r["body"]["messages"] for r in self.requests
                if r["path"].endswith("/chat/completions")]

    def vector(self, text: str) -> list[float]:
        digest = hashlib.sha256(text.encode()).digest()
        return [b / 255 for b in digest[: self.dim]]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> OpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
