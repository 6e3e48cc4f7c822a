"""Warm `ask` latency with 1k and 10k passages in the store.

Run: .venv/bin/python -m bench.ask_latency [--work DIR]

The store is filled with real e5 vectors of XQuAD's German paragraphs and sentences,
copied (with small noise, as separate documents) until it holds the wanted number of
passages; embedding 10k real passages would take an hour on this machine and would not
change what is measured: the query path (question embedding, two Chroma searches, fusion,
relevance judge, answer composition) is the real one.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.xquad import questions, write_sources
from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from bot.cli.tables import percentile_ms, table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.index.state import DocumentEntry, KnowledgeState
from knowledge.index.store import KINDS, PASSAGE, collection_name

QUESTIONS = 200
# English questions take the plain path; German ones, with English passages in the store,
# are glossed through the dictionary too (knowledge/text/lexicon.py).
LANGUAGES = ("en", "de")


def real_records(work: Path) -> dict[str, dict[str, Any]]:
    sources = work / "xquad-sources"
    write_sources(sources)
    kb = KnowledgeBase(KnowledgeConfig(data_dir=work / "xquad-data", sources=(sources,),
                                       offline=True))
    kb.refresher.refresh()
    name = kb.state_file.current().collection
    return {kind: kb.store.collection(name, kind, "de").get(
        include=["embeddings", "metadatas", "documents"]) for kind in KINDS}


def fill(kb: KnowledgeBase, records: dict[str, dict[str, Any]], passages: int) -> None:
    copies = max(1, round(passages / len(records[PASSAGE]["ids"])))
    rng = np.random.default_rng(7)
    name = collection_name(kb.embedder.identity)
    documents: dict[str, DocumentEntry] = {}
    for copy in range(copies):
        # Every other copy is filed as English: the search then runs per language over two
        # languages, as in a mixed knowledge base.
        language = "de" if copy % 2 == 0 else "en"
        for kind in KINDS:
            rows = records[kind]
            base = np.asarray(rows["embeddings"], dtype=np.float32)
            vectors = base + rng.normal(0, 0.01, base.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            metadatas: list[dict[str, Any]] = []
            for meta in rows["metadatas"]:
                source = f"copy{copy}/{meta['source']}"
                version = f"c{copy}-{meta['doc_version']}"
                metadatas.append({**meta, "source": source, "doc_version": version,
                                  "language": language,
                                  "passage_id": f"c{copy}-{meta['passage_id']}"})
                entry = documents.get(source)
                documents[source] = DocumentEntry(
                    source=source, title=str(meta["title"]), url="", language=language,
                    version=version, refreshed_at=time.time(),
                    passages=(entry.passages if entry else 0) + (kind == PASSAGE))
            kb.store.upsert(name, kind, language, [f"c{copy}-{i}" for i in rows["ids"]], vectors,
                            rows["documents"], metadatas)
    kb.state_file.replace(KnowledgeState(
        embedder=kb.embedder.identity, collection=name,
        refreshed_at=time.time(), documents=documents))


def measure(kb: KnowledgeBase, language: str = "en") -> tuple[list[float], list[float]]:
    answerer = Answerer(kb.retriever)
    qs = [q.text for q in questions(language)[:QUESTIONS]]
    answerer.answer(Question(qs[0]))  # warm: model, judge background, caches
    second = kb.retriever.judge.second
    if second is not None:  # asked only where the margin leaves the verdict open
        second.embed_question("warm up")
    search, ask = [], []
    for text in qs:
        started = time.perf_counter()
        kb.retriever.search(text, k=5)
        search.append(time.perf_counter() - started)
        started = time.perf_counter()
        answerer.answer(Question(text))
        ask.append(time.perf_counter() - started)
    return search, ask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="policybot-bench-"))
    records = real_records(work)
    rows = []
    for size in (1_000, 10_000):
        kb = KnowledgeBase(KnowledgeConfig(data_dir=work / f"latency-{size}", sources=(),
                                           offline=True))
        if kb.state_file.current().passage_count < size * 0.9:
            fill(kb, records, size)
        count = kb.state_file.current().passage_count
        for language in LANGUAGES:
            search, ask = measure(kb, language)
            rows.append([f"{count:,}", f"{kb.store.count(kb.state_file.current().collection):,}",
                         language, f"{percentile_ms(search, 50):.1f}",
                         f"{percentile_ms(search, 95):.1f}", f"{percentile_ms(ask, 50):.1f}",
                         f"{percentile_ms(ask, 95):.1f}"])
    print(f"Warm extractive answers, {QUESTIONS} XQuAD questions per language, embedded "
          "Chroma (half the passages filed as English, half as German)\n")
    print(table(["passages", "records (with sentences)", "questions", "search p50 ms",
                 "search p95 ms", "ask p50 ms", "ask p95 ms"], rows))


if __name__ == "__main__":
    main()
