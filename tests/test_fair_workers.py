"""Fair service: one person's burst neither starves another nor queues without bound; they
are told once that the bot is busy. The scheduler is driven with a bot whose work takes a
set time (the benchmark bench/fair_queue.py drives the real assistant and a model)."""

from __future__ import annotations

import asyncio
import time

from bot.serving.commands import Reply, Request
from bot.serving.workers import Limits, Workers
from knowledge import Progress

CHECK = "check Europa zahlt viel. Die Cluster stehen in den USA. Startups mieten Rechenzeit."


class TimedBot:
    """Work that takes `seconds` per cost unit (a check of three claims: 7 units)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.handled: list[str] = []

    def cost(self, request: Request) -> int:
        return 7 if request.command.name == "check" else 1

    def handle(self, request: Request, progress: Progress | None = None) -> Reply:
        time.sleep(self.seconds * self.cost(request))
        self.handled.append(request.user)
        return Reply(request.command.name, f"done for {request.user}")

    def is_admin(self, user: str, platform: str) -> bool:
        return False

    def help_text(self, wait: bool = True) -> str:
        return "help"

    def report_error(self, kind: str) -> None:
        pass

    def remembered(self, thread: str) -> tuple[str, ...]:
        return ()

    def forget(self, mark: str) -> None:
        pass


async def timed(workers: Workers, request: Request) -> tuple[Reply, float]:
    started = time.perf_counter()
    reply = await workers.handle(request)
    return reply, time.perf_counter() - started


def test_a_burst_leaves_room_for_another_person_and_is_told_busy_once() -> None:
    bot = TimedBot(0.02)
    limits = Limits(threads=4, user_threads=2, user_max_cost=30)

    async def run() -> tuple[float, float, list[Reply]]:
        workers = Workers(bot, "test", limits)
        _, alone = await timed(workers, Request.of("Wer zahlt?", "ben"))
        burst = [asyncio.ensure_future(timed(workers, Request.of(CHECK, "ana")))
                 for _ in range(12)]
        await asyncio.sleep(0.01)  # the burst is queued first
        _, beside = await timed(workers, Request.of("Wer zahlt?", "ben"))
        replies = [reply for reply, _ in await asyncio.gather(*burst)]
        await workers.drain()
        return alone, beside, replies

    alone, beside, replies = asyncio.run(run())
    answered = [r for r in replies if r.text == "done for ana"]
    busy = [r for r in replies if r.text.startswith("I'm still working")]
    silent = [r for r in replies if r.silent]
    # Four checks of cost 7 fit within 30; the fifth is told once, the rest get nothing.
    assert (len(answered), len(busy), len(silent)) == (4, 1, 7)
    assert "try again in about" in busy[0].text
    assert beside < 2 * alone + 0.05, (alone, beside)  # not behind the burst
    assert bot.handled.count("ana") == 4 and bot.handled.count("ben") == 2


def test_once_the_work_is_done_the_person_is_served_again_and_the_queue_is_bounded() -> None:
    bot = TimedBot(0.005)

    async def run() -> list[Reply]:
        workers = Workers(bot, "test", Limits(threads=1, user_threads=1, user_max_cost=7,
                                              queue_max=2))
        first = [asyncio.ensure_future(workers.handle(Request.of(CHECK, "ana")))
                 for _ in range(3)]
        done = await asyncio.gather(*first)
        again = await workers.handle(Request.of(CHECK, "ana"))  # her work is done
        # Three people at once, one thread, two may wait: the fourth is told.
        crowd = await asyncio.gather(*(workers.handle(Request.of("Wer?", f"p{n}"))
                                       for n in range(4)))
        await workers.drain()
        return [*done, again, *crowd]

    replies = asyncio.run(run())
    assert [r.silent for r in replies[:3]] == [False, False, True]
    assert replies[0].text == "done for ana" and replies[1].text.startswith("I'm still")
    assert replies[3].text == "done for ana"
    crowd = replies[4:]
    assert sum(r.text.startswith("I'm still") for r in crowd) == 1
    assert sum(r.text.startswith("done for p") for r in crowd) == 3


def test_a_full_queue_is_said_each_time_and_a_refresh_by_anyone_else_at_once() -> None:
    bot = TimedBot(0.05)

    async def run() -> list[Reply]:
        workers = Workers(bot, "test", Limits(threads=1, user_threads=1, queue_max=1))
        crowd = [asyncio.ensure_future(workers.handle(Request.of("Wer?", f"p{n}")))
                 for n in range(3)]
        await asyncio.sleep(0)
        again = workers.turned_away(Request.of("Wer?", "p2"))  # p2 has no work of its own
        refused = await workers.handle(Request.of("refresh", "p9"))
        replies = [*(await asyncio.gather(*crowd)), refused]
        await workers.drain()
        return [*replies, again] if again is not None else replies

    replies = asyncio.run(run())
    assert replies[2].text.startswith("I'm still") and replies[-1].text.startswith("I'm")
    assert not replies[-1].silent  # not "told once": the queue, not p2, is full
    assert replies[3].text == "Sorry, only admins can refresh the knowledge base."
