"""Quality and ingest on a real, messy, mixed-language knowledge base: the language-pair grid.

Run: .venv/bin/python -m bench.realcorpus [--work DIR] [--code DIR] [--baselines]
     [--without-dictionary] [--holdout] [--split SPLIT]

The knowledge base: the two EU regulations of ../shared/corpora/eu-regulations/ (English,
converted from PDF, artifacts included), the four German federal statutes of
../shared/corpora/de-statutes/ (Markdown, YAML front matter as published) and the seed
essay (German), indexed together.

Questions (bench/grid.py scores them): eval/realcorpus.jsonl (the regulations and the
essay: EN and DE versions of every answerable question, plus off-topic ones) in its splits:
a fit half (looked at while tuning), a report half, a later holdout (session 6), "references"
(session 7: provisions asked for by number), holdout2 (session 8) and holdout3 (session 10);
and eval/langpairs.jsonl (issue 30: the statutes asked in English and German, split fit /
report by section, with off-topic questions). The grid (question language x language of the
passage holding the answer: EN->EN, DE->EN, EN->DE, DE->DE) is printed for the fit side
(every "fit" split) and the report side (every other split of both files). `--holdout` adds
eval/langpairs-holdout.jsonl, written apart by someone who does not tune: only its
aggregate rows are printed, never its questions or misses.

Every pipeline is measured the same way: its first refresh timed, its passages read back
from its Chroma store, each question answered. policybot pipelines run as a black box
through their own CLI (`policybot refresh`, `policybot ask - --json`, one process per
question file), from `--code` (default: this repository; e.g. a frozen worktree) or, with
`--old-commit`, a git archive of b49ecaa. Baselines (`--baselines`): the pipeline a
LangChain tutorial builds (RecursiveCharacterTextSplitter 1,000/200, the same e5 embedder
(this repository's, in process), one Chroma collection, top 3; it never refuses) and BM25
over the measured pipeline's passages (top 3; never refuses).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench import grid
from bench.grid import (
    COUNT_HEADER,
    HEADER,
    PAIRS,
    Case,
    count_row,
    first_quote_holds,
    fold,
    grid_row,
    hit,
    rate,
    select,
    short_cells,
)
from bot.cli.tables import table

__all__ = ["COMPLETE_END", "CORPUS", "PAIRS", "REGULATIONS", "REPO", "Case", "first_quote_holds",
           "fold", "hit", "lay_sources", "load_cases", "rate", "run_cli", "stored_passages"]

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
CORPUS = CORPORA / "eu-regulations"
REGULATIONS = ("eu-cyber-resilience-act-2024-2847.md", "eu-dora-2022-2554.md")
STATUTES_DIR = CORPORA / "de-statutes"
STATUTES = ("bsig-bsi-gesetz.md", "netzdg.md", "geschgehg.md", "egovg.md")
ESSAY = "mythos-europaeische-ki-souveraenitaet.txt"
# The language of each document's text, for "1st citation in question's language".
LANGUAGES = {**dict.fromkeys(REGULATIONS, "EN"), **dict.fromkeys(STATUTES, "DE"), ESSAY: "DE"}
QUESTIONS = REPO / "eval" / "realcorpus.jsonl"
LANGPAIRS = REPO / "eval" / "langpairs.jsonl"
HOLDOUT = REPO / "eval" / "langpairs-holdout.jsonl"
OLD_COMMIT = "b49ecaa"
REPORT_LEAST = 20  # answerable questions per cell on the report side (issue 30)
MISSING_SHARED = "bench.realcorpus: needs ../shared/corpora (the dev corpora beside the repo)"

# The printed forms of page furniture in the regulations: the journal header ("OJ L,
# 20.11.2024", "L 333/54 EN Official Journal of the European Union 27.12.2022"), the ELI
# footer with its page count ("ELI: http://data.europa.eu/eli/reg/2024/2847/oj 31/81",
# either order) and a bare page count of the CRA's 81 pages. A passage holding one of them
# carries text that is not the document's. (The body's own references, "(OJ L, 2024/2847,
# 20.11.2024, ELI: http://...)", are not furniture and do not match.)
FURNITURE = re.compile(
    r"OJ L, \d{1,2}\.\d{1,2}\.\d{4}|EN Official Journal of the European Union"
    r"|ELI: http://data\.europa\.eu/eli/\S+ \d{1,3}/\d{1,3}\b"
    r"|\b\d{1,3}/\d{1,3} ELI: http|(?:^|\s)\d{1,3}/81(?:\s|$)|\bL 333/\d+"
)
# A passage is complete when it ends a sentence, or a list point (";", ",", "; and").
COMPLETE_END = re.compile(r"(?:[.!?;:,…]|\b(?:and|or|und|oder))[\"'”“»«)\]]*$")

SPLITS = {
    "holdout": "holdout (session 6, never tuned on)",
    "report": "report half (held out until session 5; looked at since session 4)",
    "fit": "fit half (tuned on)",
    "references": ("references (session 7: articles, paragraphs, recitals and annexes asked "
                   "for by number; written before reference lookup was built, by the session "
                   "that built it)"),
    "holdout2": ("holdout2 (session 8: 13 pairs and 4 off-topic questions, written and "
                 "committed before the session changed anything; never tuned on)"),
    "holdout3": ("holdout3 (session 10: 10 pairs and 4 off-topic questions, written and "
                 "committed after the dictionary was built, before it was measured on "
                 "them; never tuned on)"),
}
LANGPAIRS_SPLITS = {
    "fit": "langpairs fit (issue 30: German statutes, EN->DE and DE->DE; tuned on)",
    "report": ("langpairs report (issue 30: German statutes, the other sections; never "
               "tuned on)"),
}
HOLDOUT_LABEL = "holdout written apart (not read; aggregate only)"


def in_split(file: str, split: str, case: Case) -> bool:
    return case.file == file and case.split == split


def on_fit_side(case: Case) -> bool:
    return case.file != HOLDOUT.stem and case.split == "fit"


def on_report_side(case: Case) -> bool:
    return case.file != HOLDOUT.stem and case.split != "fit"


def written_apart(case: Case) -> bool:
    return case.file == HOLDOUT.stem


@dataclass
class Result:
    """What one pipeline did: its refresh, its passages and its answers."""

    name: str
    refresh_seconds: float
    passages: list[str]
    answers: list[dict[str, Any]]  # per case: grounded, citations [{text, source, quote}]


def check_shared() -> None:
    """One line, not a traceback, where the dev corpora beside the repository are missing."""
    needed = [CORPUS / n for n in REGULATIONS] + [STATUTES_DIR / n for n in STATUTES]
    if not all(path.is_file() for path in needed):
        raise SystemExit(MISSING_SHARED)


def load_cases(path: Path = QUESTIONS) -> list[Case]:
    """A question file's cases (default: eval/realcorpus.jsonl, as other benches read it)."""
    return grid.load_cases(path)


def source_words(statutes: bool = True) -> int:
    files = [CORPUS / name for name in REGULATIONS]
    if statutes:
        files += [STATUTES_DIR / name for name in STATUTES]
    files.append(REPO / "seeds" / ESSAY)
    return sum(len(path.read_text("utf-8").split()) for path in files)


def lay_sources(work: Path, statutes: bool = False) -> list[Path]:
    """The source folders: the regulations (copied), with `statutes` the four German
    statutes (copied as published) and the seeds folder (the essay)."""
    regulations = work / "sources" / "regulations"
    regulations.mkdir(parents=True, exist_ok=True)
    for name in REGULATIONS:
        shutil.copy(CORPUS / name, regulations / name)
    folders = [regulations]
    if statutes:
        laws = work / "sources" / "statutes"
        laws.mkdir(parents=True, exist_ok=True)
        for name in STATUTES:
            shutil.copy(STATUTES_DIR / name, laws / name)
        folders.append(laws)
    return [*folders, REPO / "seeds"]


def run_cli(code: Path, data: Path, sources: list[Path], args: list[str],
            stdin: str = "", settings: dict[str, str] | None = None) -> str:
    env = {**os.environ, **(settings or {}), "POLICYBOT_DATA_DIR": str(data),
           "POLICYBOT_SOURCES": ",".join(str(s) for s in sources),
           "POLICYBOT_OFFLINE": "true", "POLICYBOT_LLM": "",
           "PYTHONPATH": f"{code}{os.pathsep}{REPO}"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin, capture_output=True, text=True, env=env, cwd=data.parent, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"policybot {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def stored_passages(data: Path) -> list[dict[str, str]]:
    """The live passages of a policybot data dir, read from its Chroma store."""
    import chromadb  # noqa: PLC0415
    from chromadb.config import Settings as ChromaSettings  # noqa: PLC0415

    client = chromadb.PersistentClient(path=str(data / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    state = json.loads((data / "knowledge.json").read_text("utf-8"))
    live = {d["version"] for d in state["documents"].values()}
    records: list[dict[str, str]] = []
    for collection in client.list_collections():
        name = collection if isinstance(collection, str) else collection.name
        if name.startswith(state["collection"]) and "-passages" in name:
            rows = client.get_collection(name).get(include=["metadatas"])
            records += [{"text": str(m["text"]), "source": str(m["source"]),
                         "section": str(m.get("section", "")), "quote": str(m["text"])}
                        for m in rows["metadatas"] or [] if m.get("doc_version") in live]
    return records


def policybot(name: str, slug: str, code: Path, work: Path, sources: list[Path],
              cases: Sequence[Case], reuse: bool,
              settings: dict[str, str] | None = None) -> Result:
    """A pipeline measured through its CLI; with `reuse`, an index left by an earlier run
    is asked again (its first refresh is then not timed: "-"). Each question file is asked
    in its own process, so one file's figures do not depend on which others are asked.
    `settings`: POLICYBOT_ variables the questions are asked with."""
    data = work / f"data-{slug}"
    seconds = 0.0
    if not (reuse and (data / "knowledge.json").exists()):
        if data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True)
        started = time.perf_counter()
        run_cli(code, data, sources, ["refresh"])
        seconds = time.perf_counter() - started
    answers: list[dict[str, Any]] = []
    for _, group in itertools.groupby(cases, key=lambda c: c.file):
        out = run_cli(code, data, sources, ["ask", "-", "--json"],
                      stdin="".join(c.question.replace("\n", " ") + "\n" for c in group),
                      settings=settings)
        answers += [json.loads(line) for line in out.splitlines() if line.strip()]
    if len(answers) != len(cases):
        raise RuntimeError(f"{name}: {len(answers)} answers to {len(cases)} questions")
    return Result(name, seconds, [p["text"] for p in stored_passages(data)], answers)


def tutorial(work: Path, sources: list[Path], cases: Sequence[Case]) -> Result:
    """The retrieval a LangChain RAG tutorial builds (no refusal, no structure)."""
    import chromadb  # noqa: PLC0415
    from chromadb.config import Settings as ChromaSettings  # noqa: PLC0415
    from langchain_chroma import Chroma  # noqa: PLC0415
    from langchain_core.documents import Document  # noqa: PLC0415
    from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: PLC0415

    from knowledge.index.embedders import E5Embedder  # noqa: PLC0415

    files = [p for folder in sources for p in sorted(folder.iterdir())
             if p.suffix in {".md", ".txt"}]
    started = time.perf_counter()
    documents = [Document(page_content=p.read_text("utf-8"), metadata={"source": p.name})
                 for p in files]
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(documents)
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma.from_documents(chunks, E5Embedder(), client=client,
                                  collection_name="tutorial")
    seconds = time.perf_counter() - started
    answers = []
    for case in cases:
        found = store.similarity_search(case.question, k=3)
        answers.append({"grounded": True, "citations": [
            {"text": d.page_content, "source": d.metadata["source"], "quote": d.page_content}
            for d in found]})
    return Result("LangChain tutorial (1,000/200 chars, e5, top 3)", seconds,
                  [c.page_content for c in chunks], answers)


def bm25(passages: list[dict[str, str]], cases: Sequence[Case]) -> Result:
    import bm25s  # noqa: PLC0415
    from bm25s import stopwords  # noqa: PLC0415

    words = list(stopwords.STOPWORDS_EN) + list(stopwords.STOPWORDS_GERMAN)
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([p["text"] for p in passages], stopwords=words,
                                   show_progress=False), show_progress=False)
    tokens = bm25s.tokenize([c.question for c in cases], stopwords=words, show_progress=False)
    rows, _ = retriever.retrieve(tokens, k=3, show_progress=False)
    answers = [{"grounded": True, "citations": [passages[i] for i in row]}
               for row in rows.tolist()]
    return Result("BM25 over the measured pipeline's passages (top 3)", 0.0,
                  [p["text"] for p in passages], answers)


def grid_table(results: Sequence[Result], cases: Sequence[Case],
               keep: Callable[[Case], bool]) -> str:
    return table(HEADER, [grid_row(r.name, select(cases, r.answers, keep), LANGUAGES)
                          for r in results])


def passage_row(result: Result, words: int) -> list[object]:
    lengths = sorted(len(text.split()) for text in result.passages)
    within = sum(40 <= n <= 250 for n in lengths) / len(lengths)
    furniture = sum(bool(FURNITURE.search(text)) for text in result.passages)
    cut = sum(not COMPLETE_END.search(text.rstrip()) for text in result.passages)
    speed = f"{words / result.refresh_seconds:.0f}" if result.refresh_seconds else "-"
    refresh = f"{result.refresh_seconds:.0f}" if result.refresh_seconds else "-"
    return [result.name, len(lengths), lengths[len(lengths) // 10],
            int(statistics.median(lengths)), lengths[9 * len(lengths) // 10], lengths[-1],
            f"{within:.2f}", furniture, cut, refresh, speed]


def revision(code: Path) -> str:
    """The commit the measured code is at ("+ changes" where bot/ or knowledge/ differ)."""
    head = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=False)
    if head.returncode != 0:
        return str(code)
    changed = subprocess.run(["git", "-C", str(code), "status", "--porcelain", "--", "bot",
                              "knowledge"], capture_output=True, text=True, check=False)
    return head.stdout.strip() + (" + changes" if changed.stdout.strip() else "")


def print_report(results: Sequence[Result], cases: Sequence[Case], words: int,
                 dictionary: str, holdout: bool) -> None:
    print(f"Knowledge base: 2 EU regulations + 4 German statutes + the essay, {words:,} "
          f"source words. Questions: {QUESTIONS.name}, {LANGPAIRS.name}"
          f"{f', {HOLDOUT.name} (aggregate only)' if holdout else ''}. German-English "
          f"dictionary: {dictionary}.\n")
    fit = [c for c in cases if on_fit_side(c)]
    report = [c for c in cases if on_report_side(c)]
    sides = [("fit (every 'fit' split)", fit), ("report (every other split)", report)]
    if holdout:
        sides.append((HOLDOUT_LABEL, [c for c in cases if written_apart(c)]))
    print("Questions per cell (answerable; off-topic)\n")
    print(table(COUNT_HEADER, [count_row(label, chosen) for label, chosen in sides]))
    short = ", ".join(short_cells(report, REPORT_LEAST))
    print(f"\nreport side: {'NOT ' if short else ''}every cell has at least {REPORT_LEAST} "
          f"answerable questions{f' (short: {short})' if short else ''}\n")
    print("Grid, fit side (realcorpus fit + langpairs fit)\n")
    print(grid_table(results, cases, on_fit_side))
    print("\nGrid, report side (realcorpus report, holdout, references, holdout2, holdout3 "
          "+ langpairs report)\n")
    print(grid_table(results, cases, on_report_side))
    if holdout:
        print(f"\n{HOLDOUT_LABEL}\n")
        print(grid_table(results, cases, written_apart))
    for file, splits in ((QUESTIONS.stem, SPLITS), (LANGPAIRS.stem, LANGPAIRS_SPLITS)):
        for split, heading in splits.items():
            print(f"\n{file}: {heading}\n")
            print(grid_table(results, cases, partial(in_split, file, split)))
    print()
    print(table(["pipeline", "passages", "words p10", "median", "p90", "max", "share 40-250",
                 "furniture passages", "ending mid-sentence", "first refresh s",
                 "source words/s"], [passage_row(r, words) for r in results]))


def print_misses(result: Result, cases: Sequence[Case], split: str) -> None:
    """The measured pipeline's misses in a split (never the holdout written apart's)."""
    for case, answer in zip(cases, result.answers, strict=True):
        if written_apart(case) or split not in ("all", case.split):
            continue
        if hit(case, answer) != case.no_answer:
            continue
        got = [f"{x['source'][:12]}:{x['text'][:60]!r}" for x in answer["citations"][:3]]
        print(f"miss [{case.label} {case.pair}] {case.question!r} -> "
              f"{'refused' if not answer['grounded'] else got}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--code", type=Path, default=REPO,
                        help="the checkout whose bot/ and knowledge/ are measured (default: "
                        "this repository), e.g. a frozen git worktree")
    parser.add_argument("--baselines", action="store_true",
                        help="also measure the LangChain tutorial and BM25")
    parser.add_argument("--old-commit", action="store_true",
                        help=f"also measure the pipeline as of {OLD_COMMIT}")
    parser.add_argument("--reuse", action="store_true",
                        help="ask the indexes an earlier run left in --work again (no refresh)")
    parser.add_argument("--without-dictionary", action="store_true",
                        help="also ask the same index with POLICYBOT_DICTIONARY=off")
    parser.add_argument("--holdout", action="store_true",
                        help=f"also ask {HOLDOUT.name} (written apart) and print its "
                        "aggregate rows; never its questions or misses")
    parser.add_argument("--split", choices=[*SPLITS, "all", "none"], default="holdout",
                        help="which split's misses to list, in both question files (every "
                        "split's table is printed)")
    args = parser.parse_args()
    check_shared()
    code = args.code.resolve()
    if not (code / "bot").is_dir() or not (code / "knowledge").is_dir():
        raise SystemExit(f"bench.realcorpus: --code {code} holds no bot/ and knowledge/")
    if args.holdout and not HOLDOUT.is_file():
        raise SystemExit(f"bench.realcorpus: --holdout needs {HOLDOUT.relative_to(REPO)}")
    work = args.work or Path(tempfile.mkdtemp(prefix="policybot-realcorpus-"))
    work.mkdir(parents=True, exist_ok=True)
    sources = lay_sources(work, statutes=True)
    cases = load_cases(QUESTIONS) + load_cases(LANGPAIRS)
    if args.holdout:
        cases += load_cases(HOLDOUT)
    words = source_words()
    name = f"policybot ({revision(code)})"
    results = [policybot(name, "current", code, work, sources, cases, args.reuse)]
    if args.without_dictionary:
        results.append(policybot(f"{name}, no dictionary", "current", code, work, sources,
                                 cases, reuse=True, settings={"POLICYBOT_DICTIONARY": "off"}))
    if args.old_commit:
        old = work / f"code-{OLD_COMMIT}"
        if not old.exists():
            old.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", OLD_COMMIT, "bot",
                                      "knowledge"], capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        results.append(policybot(f"policybot as of {OLD_COMMIT}", OLD_COMMIT, old, work,
                                 sources, cases, args.reuse))
    if args.baselines:
        results.append(tutorial(work, sources, cases))
        results.append(bm25(stored_passages(work / "data-current"), cases))
    from knowledge.text.lexicon import Dictionary  # noqa: PLC0415

    dictionary = Dictionary.find(os.environ.get("POLICYBOT_DICTIONARY", ""), None)
    print_report(results, cases, words, str(dictionary.path) if dictionary else "none",
                 args.holdout)
    if args.split != "none":
        print_misses(results[0], cases, args.split)


if __name__ == "__main__":
    main()
