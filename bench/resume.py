"""A first refresh killed half-way (SIGKILL), then run again: how much is redone.

Run: .venv/bin/python -m bench.resume

Sources: XQuAD's 24 German articles (one Markdown document each, 240 paragraphs). Three
real `policybot refresh` processes: one complete first refresh for reference; one killed
as soon as its journal holds half the documents as completely embedded; then the refresh
after it, which takes over what the killed one embedded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.xquad import write_sources
from bot.cli.tables import table

REPO = Path(__file__).resolve().parent.parent


def environment(data: Path, sources: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    env.update(POLICYBOT_DATA_DIR=str(data), POLICYBOT_SOURCES=str(sources),
               POLICYBOT_OFFLINE="true", PYTHONPATH=str(REPO))
    return env


def refresh(data: Path, sources: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", "refresh", "--json"], check=True,
                          env=environment(data, sources), capture_output=True, text=True)
    return time.perf_counter() - started, json.loads(done.stdout)


def completed(journal: Path) -> int:
    try:
        return sum(1 for e in json.loads(journal.read_text("utf-8")) if e.get("document"))
    except (OSError, ValueError):
        return 0


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sources = work / "sources"
        write_sources(sources)
        documents = len(list(sources.glob("*.md")))
        full_seconds, _ = refresh(work / "full", sources)
        data = work / "data"
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "bot", "refresh"],
                                   env=environment(data, sources),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = data / "refresh-journal.json"
        while completed(journal) < documents // 2 and process.poll() is None:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed_seconds = time.perf_counter() - started
        taken_over = completed(journal)
        resumed_seconds, summary = refresh(data, sources)
        added = summary["added"]
        assert isinstance(added, list)
    print(f"First refresh of {documents} documents, killed when half were embedded\n")
    print(table(["run", "seconds", "documents"], [
        ["complete first refresh (reference)", f"{full_seconds:.1f}", documents],
        ["first refresh, killed (SIGKILL)", f"{killed_seconds:.1f}",
         f"{taken_over} embedded completely"],
        ["the refresh after it", f"{resumed_seconds:.1f}",
         f"{len(added)} added ({taken_over} taken over)"],
    ]))


if __name__ == "__main__":
    main()
