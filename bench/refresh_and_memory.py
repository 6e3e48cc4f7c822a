"""A refresh with nothing changed, and the peak memory of `policybot ask`.

Run: .venv/bin/python -m bench.refresh_and_memory
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.cli.tables import table

REPO = Path(__file__).resolve().parent.parent
RUNS = 5


def policybot(args: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "bot", *args], env=env, capture_output=True,
                            text=True, check=True, cwd=REPO)
    return time.perf_counter() - started, result.stdout


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="policybot-refresh-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    env.update(POLICYBOT_DATA_DIR=str(data), POLICYBOT_SOURCES=str(REPO / "seeds"))
    rows = []
    for offline in ("true", "false"):
        env["POLICYBOT_OFFLINE"] = offline
        policybot(["refresh"], env)
        inside, wall = [], []
        for _ in range(RUNS):
            seconds, out = policybot(["refresh", "--json"], env)
            wall.append(seconds)
            inside.append(float(out.split('"seconds": ')[1].split(",")[0]))
        label = "offline (URL sources skipped)" if offline == "true" else (
            "default (tries the 3 URL sources; no network here)")
        rows.append([label, f"{sorted(inside)[RUNS // 2]:.3f}", f"{sorted(wall)[RUNS // 2]:.2f}"])
    print(f"Refresh of the seeds with nothing changed, median of {RUNS}\n")
    print(table(["settings", "refresh itself s", "whole command s (with start-up)"], rows))
    env["POLICYBOT_OFFLINE"] = "true"
    peaks = []
    for question in ("Who really wins the open-source AI race?", "How do I bake a cheesecake?"):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        policybot(["ask", question], env)
        peaks.append((question, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before))
    print("\nPeak resident memory of one `policybot ask` process (ru_maxrss of the child)\n")
    print(table(["question", "peak RSS MB"],
                [[q, f"{peak / 1024:.0f}"] for q, peak, _ in peaks]))


if __name__ == "__main__":
    main()
