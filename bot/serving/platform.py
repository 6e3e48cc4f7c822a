"""What `policybot run` expects of a chat platform's adapter."""

from __future__ import annotations

import asyncio
from typing import Protocol


class Adapter(Protocol):
    name: str

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set, then finish the answers in progress."""

    async def healthy(self) -> bool:
        """Whether it is connected to its platform right now."""
