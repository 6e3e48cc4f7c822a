"""Matrix: time from a person's message to the bot's answer in the room.

A real Synapse on 127.0.0.1 (tests/synapse_server.py), the real adapter, and a person on a
real matrix-nio client (tests/matrix_people.py) asking 50 questions one after another in a
direct chat, plain and encrypted. Time = from just before the person sends to the moment
the person's own client receives the bot's notice (its sync wakes on new events), so it
includes the homeserver both ways, decryption and the answer itself.

Run: .venv/bin/python -m bench.matrix_latency
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.essay import assistant_seconds, essay_knowledge, questions
from bot.adapters.matrix.adapter import MatrixAdapter, MatrixConfig
from bot.cli.tables import percentile_ms, table
from bot.serving.assistant import Assistant
from testing.matrix_people import EventLoop, Person
from testing.running_bot import RunningBot
from testing.slack_server import wait_until
from testing.synapse_server import SynapseServer

COUNT = 50
PASSWORD = "bench-password"


def asked(person: Person, room: str, bot: str, texts: list[str]) -> list[float]:
    """Seconds from sending each question to receiving its answer, one at a time."""
    earlier = len(person.notices(room, bot))
    times = []
    for n, text in enumerate(texts, start=earlier + 1):
        started = time.monotonic()
        person.send(room, text)
        notice = person.wait_notices(room, bot, n)[n - 1]
        times.append(notice.at - started)
    return times


def one_way(sender: Person, receiver: Person, room: str, text: str) -> float:
    started = time.monotonic()
    event_id = sender.send(room, text)
    seen = wait_until(lambda: [s for s in receiver.seen if s.event_id == event_id],
                      what="the message at the other person")
    return float(seen[0].at - started)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="policybot-matrix-"))
    kb = essay_knowledge(root / "data")
    texts = (questions() * 4)[:COUNT]
    alone = assistant_seconds(kb, texts)
    synapse = SynapseServer(root / "synapse").start()
    loop = EventLoop()
    try:
        bot = synapse.register("bot", PASSWORD)
        person = Person(loop, synapse.url, synapse.register("ana", PASSWORD), PASSWORD,
                        root / "ana")
        config = MatrixConfig(homeserver=synapse.url, user_id=bot, state_dir=root / "bot",
                              password=PASSWORD)
        adapter = MatrixAdapter(Assistant(kb), config)
        rows = []
        with RunningBot(adapter):
            wait_until(lambda: adapter.syncs >= 1, timeout=60, what="the bot's first sync")
            for label, encrypted in (("direct chat", False), ("encrypted direct chat", True)):
                room = person.create_room([bot], direct=True, encrypted=encrypted)
                person.wait_member(room, bot)
                person.send(room, texts[0])  # warm-up: keys shared, models warm
                person.wait_notices(room, bot)
                times = asked(person, room, bot, texts)
                rows.append([label, len(times), percentile_ms(times, 50),
                             percentile_ms(times, 95)])
        # The homeserver alone: one person's message reaching another person's client.
        ben = Person(loop, synapse.url, synapse.register("ben", PASSWORD), PASSWORD,
                     root / "ben")
        room = person.create_room([ben.user_id])
        loop.run(ben.client.join(room))
        person.wait_member(room, ben.user_id)
        hops = [one_way(person, ben, room, text) for text in texts]
        rows.append(["person to person, no bot (one way)", len(hops),
                     percentile_ms(hops, 50), percentile_ms(hops, 95)])
        ben.stop()
        person.stop()
    finally:
        loop.close()
        synapse.stop()
    print(table(["room", "questions", "p50 ms", "p95 ms"], rows))
    print()
    print(table(["assistant alone (no Matrix)", "p50 ms", "p95 ms"],
                [["same questions", percentile_ms(alone, 50), percentile_ms(alone, 95)]]))


if __name__ == "__main__":
    main()
