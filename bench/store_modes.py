"""Search latency and memory with 100k passages: embedded Chroma against a Chroma server.

Run: .venv/bin/python -m bench.store_modes [--passages 100000] [--work DIR]

Each mode's store is filled the way bench.ask_latency fills it (real e5 vectors of XQuAD
paragraphs and their sentences, copied with small noise), then a fresh process, the one a
bot would be, answers 200 English questions and reports its peak memory (VmHWM). In server
mode the store lives in a real `chroma run` on 127.0.0.1, whose memory is read from /proc
after the questions. Filling and querying happen in child processes so that neither
inflates the other's memory figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.ask_latency import fill, measure, real_records
from bot.cli.tables import percentile_ms, table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from testing.chroma_server import ChromaServer

MODES = ("embedded", "server")


def knowledge(work: Path, mode: str, url: str) -> KnowledgeBase:
    return KnowledgeBase(KnowledgeConfig(data_dir=work / f"{mode}-data", sources=(),
                                         offline=True, chroma_url=url))


def memory_mb(pid: str = "self", field: str = "VmHWM") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_fill(work: Path, mode: str, url: str, passages: int) -> dict[str, float]:
    kb = knowledge(work, mode, url)
    if kb.state_file.current().passage_count >= passages * 0.9:
        return {"fill_s": 0.0}  # filled by an earlier run of this bench
    records = real_records(work)
    started = time.perf_counter()
    fill(kb, records, passages)
    return {"fill_s": time.perf_counter() - started}


def child_query(work: Path, mode: str, url: str) -> dict[str, float]:
    kb = knowledge(work, mode, url)
    search, ask = measure(kb)
    state = kb.state_file.current()
    return {"passages": state.passage_count, "records": kb.store.count(state.collection),
            "search_p50": percentile_ms(search, 50), "search_p95": percentile_ms(search, 95),
            "ask_p50": percentile_ms(ask, 50), "ask_p95": percentile_ms(ask, 95),
            "bot_mb": memory_mb()}


def child(args: list[str]) -> dict[str, float]:
    output = subprocess.run([sys.executable, "-m", "bench.store_modes", *args],
                            capture_output=True, text=True, check=True).stdout
    return dict(json.loads(output.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--child", choices=["fill", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=MODES, default="embedded", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="policybot-modes-"))
    if args.child == "fill":
        print(json.dumps(child_fill(work, args.mode, args.url, args.passages)))
        return
    if args.child == "query":
        print(json.dumps(child_query(work, args.mode, args.url)))
        return
    rows = []
    for mode in MODES:
        server = ChromaServer(work / "chroma-server") if mode == "server" else None
        url = ""
        if server is not None:
            server.start(timeout=600)  # a large store takes a while to load
            url = server.url
        try:
            common = ["--work", str(work), "--mode", mode, "--url", url]
            filled = child(["--child", "fill", "--passages", str(args.passages), *common])
            result = child(["--child", "query", *common])
            server_mb = memory_mb(str(server.process.pid), "VmRSS") \
                if server is not None and server.process is not None else 0.0
        finally:
            if server is not None:
                server.stop()
        rows.append([mode, f"{int(result['passages']):,}", f"{int(result['records']):,}",
                     f"{filled['fill_s']:.0f}" if filled["fill_s"] else "(earlier run)",
                     result["search_p50"], result["search_p95"], result["ask_p50"],
                     result["ask_p95"], f"{result['bot_mb']:.0f}",
                     f"{server_mb:.0f}" if server_mb else "-"])
    print(table(["store", "passages", "records (with sentences)", "fill s", "search p50 ms",
                 "search p95 ms", "ask p50 ms", "ask p95 ms", "bot peak MB",
                 "chroma server MB"], rows))


if __name__ == "__main__":
    main()
