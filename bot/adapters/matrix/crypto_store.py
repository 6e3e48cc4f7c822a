"""Mending nio's encryption store when it cannot be loaded.

The store (an SQLite file under the data dir) holds the bot's own device keys and
sessions, which cannot be replaced without a new device, and a cache of the other
people's device keys, which the homeserver can give again. A clean-clone test run once
found a cached device without its ed25519 key, and nio then refused to load the whole
store. Only such incomplete cache entries are removed here; the people they belong to
have their keys asked for again at the next sync. Everything else stays as it was.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

# The keys nio needs of every device it loads (OlmDevice.ed25519 / .curve25519).
NEEDED = ("ed25519", "curve25519")


def mend(database: Path) -> set[str]:
    """Remove cached devices that lack a needed key; the users whose devices went."""
    if not database.is_file():
        return set()
    connection = sqlite3.connect(database)
    try:
        with connection:  # one transaction: all of the mending, or none of it
            tables = {name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"devicekeys", "keys"} <= tables:
                return set()
            placeholders = ", ".join("?" for _ in NEEDED)
            broken = connection.execute(
                "SELECT d.id, d.user_id, d.device_id FROM devicekeys d WHERE "
                f"(SELECT COUNT(DISTINCT k.key_type) FROM keys k WHERE k.device_id = d.id "
                f"AND k.key_type IN ({placeholders})) < ?", (*NEEDED, len(NEEDED))).fetchall()
            for row_id, user_id, device_id in broken:
                log.warning("the Matrix encryption store held device %s of %s without its "
                            "keys; it is removed and asked for again", device_id, user_id)
                connection.execute("DELETE FROM keys WHERE device_id = ?", (row_id,))
                if "devicetruststate" in tables:
                    connection.execute("DELETE FROM devicetruststate WHERE device_id = ?",
                                       (row_id,))
                connection.execute("DELETE FROM devicekeys WHERE id = ?", (row_id,))
            return {user_id for _, user_id, _ in broken}
    finally:
        connection.close()
