"""Log lines: one per event, readable by default or JSON, never carrying a secret.

Logs go to stderr only: stdout carries answers and JSON output.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from bot.answering.redaction import Redactor

# Lines a person starting the bot wants at the default level (WARNING): connected, where,
# as whom. Logged at INFO on this logger, which shows at INFO whatever the level.
STATUS = "policybot.status"

NOISY = ("chromadb", "httpx", "httpcore", "nio", "slack_bolt", "slack_sdk", "aiohttp",
         "peewee")


# Characters that would break a text log's one line per event, or forge one: a Matrix
# event id or a chat message is free text ("$x\n2026-12-07T10:00:00 INFO ...").
_CONTROL = {code: f"\\x{code:02x}" for code in [*range(0x20), 0x7F]} | {
    ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", 0x85: "\\x85",
    0x2028: "\\u2028", 0x2029: "\\u2029"}


def escaped(text: str) -> str:
    """The text with line breaks and other control characters written as escapes."""
    return text.translate(_CONTROL)


class OneLineFormatter(logging.Formatter):
    """Every secret value replaced; a traceback folded into the event's one line."""

    def __init__(self, secrets: Sequence[str] = (), traceback: bool = False) -> None:
        super().__init__()
        self.redact = Redactor(secrets)
        self.traceback = traceback

    def exception_text(self, record: logging.LogRecord) -> str:
        if not record.exc_info:
            return ""
        if self.traceback:
            return self.formatException(record.exc_info)
        kind, error = record.exc_info[0], record.exc_info[1]
        return f"{kind.__name__ if kind else 'Error'}: {error}".splitlines()[0]

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
        line = f"{stamp} {record.levelname} {record.name}: {escaped(record.getMessage())}"
        problem = self.exception_text(record)
        if problem:
            line += " | " + escaped(problem.replace("\n", " | "))
        return self.redact(line)


class JsonFormatter(OneLineFormatter):
    def format(self, record: logging.LogRecord) -> str:
        # Redacted before serialising: JSON escapes a secret holding `"` or `\`, and the
        # escaped form would no longer match.
        event: dict[str, object] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(record.created)),
            "level": record.levelname, "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        if record.exc_info:
            event["exception"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(event, ensure_ascii=False)


def setup_logging(level: str, form: str = "text", secrets: Sequence[str] = (),
                  stream: TextIO = sys.stderr) -> None:
    handler = logging.StreamHandler(stream)
    traceback = level == "DEBUG"
    handler.setFormatter(JsonFormatter(secrets) if form == "json"
                         else OneLineFormatter(secrets, traceback))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level))
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, getattr(logging, level)))
    logging.getLogger(STATUS).setLevel(min(logging.INFO, getattr(logging, level)))
