"""Who may invite the bot into a room and be answered there: deny by default.

A stranger on any server once invited the bot into a private room and got answers and the
source list. Now, with no servers configured, only people on the bot's own server may;
`*` opens it to every server; a list of user ids, when given, overrides the servers.
The admins are always allowed (the adapter asks the bot).
"""

from __future__ import annotations

from dataclasses import dataclass

EVERY_SERVER = "*"


def server_of(user_id: str) -> str:
    return user_id.split(":", 1)[1] if ":" in user_id else ""


@dataclass(frozen=True)
class Access:
    own_server: str
    servers: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()

    @property
    def open_to_all(self) -> bool:
        return not self.users and EVERY_SERVER in self.servers

    def allows(self, user_id: str) -> bool:
        if self.users:
            return user_id in self.users
        if EVERY_SERVER in self.servers:
            return True
        return server_of(user_id) in (self.servers or {self.own_server})

    def describe(self) -> str:
        if self.users:
            return f"{len(self.users)} listed user(s)"
        if EVERY_SERVER in self.servers:
            return "everyone on every server"
        return "people on " + ", ".join(sorted(self.servers or {self.own_server}))
