"""Which deliveries were already handled: chat platforms redeliver, we answer once."""

from __future__ import annotations

import threading
from collections import OrderedDict


class SeenKeys:
    """A bounded set of recent keys; the oldest are forgotten first.

    Redeliveries arrive within minutes, so remembering the last few thousand is enough
    and keeps memory flat however long the bot runs.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def first(self, key: str) -> bool:
        """True the first time a key is offered, False for every repeat."""
        with self._lock:
            if key in self._keys:
                self._keys.move_to_end(key)
                return False
            self._keys[key] = None
            while len(self._keys) > self.limit:
                self._keys.popitem(last=False)
            return True

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._keys

    def add(self, key: str) -> None:
        self.first(key)

    def discard(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def newest(self, count: int) -> list[str]:
        """The `count` most recently offered keys, oldest first (what a restart needs)."""
        with self._lock:
            return list(self._keys)[-count:] if count > 0 else []
