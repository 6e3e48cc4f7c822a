"""A refresh facing hostile URL sources: time and peak memory until its named failure.

Run: .venv/bin/python -m bench.hostile_sources

Each case is a real `policybot refresh --json` process (defaults: POLICYBOT_FETCH_TIMEOUT
10 s, POLICYBOT_FETCH_MAX_MB 50, POLICYBOT_MAX_PASSAGES_PER_SOURCE 20,000) whose only
source is a URL on a local server that misbehaves (testing/hostile_server.py): an endless
800 MB body, a byte every 2 s, a 50 MB HTML page (with its Content-Length), and a 45 MB
one (under the size cap: the words bound refuses it). Peak RSS is the process's own
(wait4). "Idle" is the same command refreshing one small page (the embedder loaded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.cli.tables import table
from testing.hostile_server import HostileServer

REPO = Path(__file__).resolve().parent.parent
CASES = [
    ("idle: one small page", "/page"),
    ("800 MB body, no length", "/endless?mb=800"),
    ("a byte every 2 s", "/drip?seconds=2"),
    ("50 MB HTML page", "/html?mb=50"),
    ("45 MB HTML page (under the size cap)", "/html?mb=45"),
]


def refresh(work: Path, url: str) -> tuple[float, float, dict[str, object]]:
    sources = work / "sources"
    sources.mkdir(parents=True)
    (sources / "sources.toml").write_text(f'[[source]]\nurl = "{url}"\n', "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    env.update(POLICYBOT_DATA_DIR=str(work / "data"), POLICYBOT_SOURCES=str(sources),
               PYTHONPATH=str(REPO))
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bot", "refresh", "--json"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=work)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    summary = json.loads(output) if status == 0 and output.strip() else {"error": status}
    return seconds, usage.ru_maxrss / 1024, summary


def main() -> None:
    rows = []
    with HostileServer() as server, tempfile.TemporaryDirectory() as folder:
        for number, (name, path) in enumerate(CASES):
            seconds, peak, summary = refresh(Path(folder) / str(number), server.url(path))
            failed: list[dict[str, str]] = summary.get("failed") or []  # type: ignore[assignment]
            added: list[str] = summary.get("added") or []  # type: ignore[assignment]
            outcome = f"failed: {failed[0]['reason']}" if failed else f"added {len(added)}"
            rows.append([name, f"{seconds:.1f}", f"{peak:.0f}", outcome])
    print("A refresh whose one source is a hostile URL (defaults: 10 s deadline, 50 MB cap)\n")
    print(table(["source", "refresh s", "peak RSS MB", "outcome"], rows))


if __name__ == "__main__":
    main()
