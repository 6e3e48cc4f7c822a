"""The bot, run off an adapter's event loop, fairly.

Answering embeds text (CPU) and waits for a model (I/O), so it runs on a few threads; a
refresh gets a thread of its own so questions are still answered while it runs. Every
piece of work an adapter starts is tracked, so shutdown can wait for answers already on
their way.

Fair service: requests wait in one queue per person and are taken in turn, one person at
a time, and no person holds more than `user_threads` threads, so someone else's question
always finds a thread soon. Work is counted in cost (Bot.cost: a search is 1, each model
call 1 more; a `check` with a model up to 1 + its claims). A person whose queued and
running work would pass `user_max_cost`, or anyone when `queue_max` requests wait, gets
one plain "busy" reply; their further messages while still over the limit get none (one
reply, not one per message). Measured: bench/fair_queue.py.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bot import errors
from bot.serving.commands import CHANGES, Reply, Request
from bot.serving.platform import Bot


def teller(post: Callable[[str], Coroutine[Any, Any, object]]) -> Callable[[str], None]:
    """`post` (a notice into the conversation, on the adapter's event loop) made callable
    from an answering thread: what Request.tell is (an `add` queued behind a refresh)."""
    loop = asyncio.get_running_loop()

    def tell(text: str) -> None:
        asyncio.run_coroutine_threadsafe(post(text), loop)
    return tell


@dataclass(frozen=True)
class Limits:
    """How much work the bot takes on (POLICYBOT_ANSWER_THREADS, _USER_THREADS,
    _USER_MAX_COST, _QUEUE_MAX; the defaults and their reasons in the README)."""

    threads: int = 4  # model calls are waits: more threads than cores serve more people
    user_threads: int = 2  # one person's burst leaves the other threads to the rest
    user_max_cost: int = 30  # e.g. ten questions with a model, or two checks of ten claims
    queue_max: int = 200  # requests waiting in all


@dataclass
class _Job:
    request: Request
    cost: int
    done: asyncio.Future[Reply] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())


class Workers:
    def __init__(self, bot: Bot, platform: str, limits: Limits | None = None) -> None:
        self.bot = bot
        self.platform = platform
        self.limits = limits or Limits()
        self._answering = ThreadPoolExecutor(self.limits.threads,
                                             thread_name_prefix=f"{platform}-answer")
        self._refreshing = ThreadPoolExecutor(1, thread_name_prefix=f"{platform}-refresh")
        self._changing = ThreadPoolExecutor(1, thread_name_prefix=f"{platform}-change")
        self._tasks: set[asyncio.Future[None]] = set()
        # Everything below is touched on the event loop only: no lock.
        self._waiting: OrderedDict[str, deque[_Job]] = OrderedDict()  # by person, in turn
        self._running: Counter[str] = Counter()
        self._cost: Counter[str] = Counter()  # queued and running, per person
        self._told_busy: set[str] = set()
        self._seconds_per_cost = 1.0  # a running average, for "try again in N s"

    def starts_a_refresh(self, request: Request) -> bool:
        """Whether this request starts a refresh (and so deserves a 'started' notice)."""
        return request.command.name == "refresh" and self.bot.is_admin(request.user,
                                                                        request.platform)

    async def handle(self, request: Request) -> Reply:
        """The reply to a request; a silent one (Reply.silent) when the person was told
        already that the bot is busy with their earlier work."""
        name = request.command.name
        if name in CHANGES:
            # Changes to the knowledge base run one at a time, off the answering threads;
            # a person who may not make them is told at once, not queued behind them.
            if not self.bot.is_admin(request.user, request.platform):
                return Reply(name, errors.ADMINS_ONLY if name == "refresh"
                             else errors.ADMINS_ONLY_CHANGE)
            # An add waits for a running refresh's lock (and says so): on a thread of its
            # own, so that it never waits in the refresh's queue unannounced.
            executor = self._refreshing if name == "refresh" else self._changing
            return await asyncio.get_running_loop().run_in_executor(
                executor, partial(self.bot.handle, request))
        turned_away = self.turned_away(request)
        if turned_away is not None:
            return turned_away
        person = request.user
        cost = max(1, self.bot.cost(request))
        job = _Job(request, cost)
        self._waiting.setdefault(person, deque()).append(job)
        self._cost[person] += cost
        self._dispatch()
        return await asyncio.shield(job.done)

    def turned_away(self, request: Request) -> Reply | None:
        """The reply to a request the bot will not take on now ("busy", or nothing for a
        person told so already); None when it will. Adapters ask before they spend
        anything on a message (a reaction, a thread read)."""
        if request.command.name in CHANGES:
            return None
        person = request.user
        cost = max(1, self.bot.cost(request))
        waiting = sum(len(jobs) for jobs in self._waiting.values())
        over = self._cost[person] > 0 and \
            self._cost[person] + cost > self.limits.user_max_cost
        if not over and waiting < self.limits.queue_max:
            return None
        if over and person in self._told_busy:
            return Reply(request.command.name, "", silent=True)
        if over:  # told once while their own work is over the limit; a full queue each time
            self._told_busy.add(person)
        wait = self._cost[person] if over else waiting
        seconds = max(5, math.ceil(wait * self._seconds_per_cost / self.limits.threads))
        return Reply(request.command.name, errors.busy(seconds))

    def _dispatch(self) -> None:
        """Start waiting jobs on free threads, taking people in turn."""
        while sum(self._running.values()) < self.limits.threads:
            person = next((p for p, jobs in self._waiting.items()
                           if jobs and self._running[p] < self.limits.user_threads), None)
            if person is None:
                return
            jobs = self._waiting.pop(person)
            job = jobs.popleft()
            if jobs:
                self._waiting[person] = jobs  # to the back of the line
            self._running[person] += 1
            started = time.monotonic()
            try:
                running = asyncio.get_running_loop().run_in_executor(
                    self._answering, partial(self.bot.handle, job.request))
            except RuntimeError as error:  # shutting down: the threads are gone
                self._running[person] -= 1
                self._cost[person] -= job.cost
                job.done.set_exception(error)
                continue
            running.add_done_callback(partial(self._finished, job, started))

    def _finished(self, job: _Job, started: float, running: asyncio.Future[Reply]) -> None:
        person = job.request.user
        self._running[person] -= 1
        self._cost[person] -= job.cost
        if self._cost[person] <= 0:
            del self._cost[person]
            self._told_busy.discard(person)
        per_cost = (time.monotonic() - started) / job.cost
        self._seconds_per_cost = 0.8 * self._seconds_per_cost + 0.2 * per_cost
        if not job.done.done():
            if running.cancelled():
                job.done.cancel()
            elif (error := running.exception()) is not None:
                job.done.set_exception(error)
            else:
                job.done.set_result(running.result())
        self._dispatch()

    @property
    def busy(self) -> int:
        """Answers and commands in progress."""
        return len(self._tasks)

    def start(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 30.0) -> None:
        """Let work in progress finish (up to `timeout`), then release the threads."""
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=timeout)
        self._answering.shutdown(wait=False, cancel_futures=True)
        self._refreshing.shutdown(wait=False, cancel_futures=True)
        self._changing.shutdown(wait=False, cancel_futures=True)
