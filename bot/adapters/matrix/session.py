"""What the Matrix adapter keeps on disk besides nio's encryption store: the sync position,
the rooms it answers, and its device's login. Each file is written atomically (a crash
leaves the old file, never half a new one) and only its owner can read it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from bot.serving.seen import SeenKeys
from knowledge import write_json_atomically

REMEMBERED = 2000  # answered events and threads kept in the state file
IN_MEMORY = REMEMBERED * 5  # ... and while running


@dataclass
class MatrixState:
    """What must survive a restart besides the encryption store."""

    path: Path
    next_batch: str = ""
    direct_rooms: set[str] = field(default_factory=set)
    threads: SeenKeys = field(default_factory=lambda: SeenKeys(IN_MEMORY))  # "room root"
    answered: SeenKeys = field(default_factory=lambda: SeenKeys(IN_MEMORY))  # event ids
    joined_at: dict[str, int] = field(default_factory=dict)  # room -> when joined (ms)

    @classmethod
    def load(cls, path: Path) -> MatrixState:
        if not path.exists():
            return cls(path)
        data = json.loads(path.read_text("utf-8"))
        state = cls(path, data.get("next_batch", ""), set(data.get("direct_rooms", [])),
                    joined_at=dict(data.get("joined_at", {})))
        for key in data.get("threads", []):
            state.threads.add(key)
        for event_id in data.get("answered", []):
            state.answered.add(event_id)
        return state

    def snapshot(self) -> dict[str, object]:
        return {"next_batch": self.next_batch, "direct_rooms": sorted(self.direct_rooms),
                "threads": self.threads.newest(REMEMBERED),
                "answered": self.answered.newest(REMEMBERED),
                "joined_at": dict(self.joined_at)}


@dataclass(frozen=True)
class Session:
    """The device the bot logged in as; reused so its encryption keys stay valid."""

    user_id: str
    device_id: str
    access_token: str

    @classmethod
    def load(cls, path: Path, user_id: str) -> Session | None:
        """The saved session of `user_id`; None when there is none (or another account's)."""
        if not path.exists():
            return None
        data = json.loads(path.read_text("utf-8"))
        if data.get("user_id") != user_id:
            return None  # another account configured now: log in afresh
        return cls(data["user_id"], data["device_id"], data["access_token"])

    def save(self, path: Path) -> None:
        write_json_atomically(path, {"user_id": self.user_id, "device_id": self.device_id,
                                     "access_token": self.access_token})
