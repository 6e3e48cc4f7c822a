"""Ingest throughput of a full refresh against the embedder's raw throughput.

Run: .venv/bin/python -m bench.ingest

Both embed exactly the same texts (each passage and its sentences, with title and
section) in the same batches; the difference is the pipeline: loading, splitting, ids,
Chroma upserts, state and journal writes. Alternated twice, best of each kept.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.xquad import write_sources
from bot.tables import table
from knowledge.base import KnowledgeBase, KnowledgeConfig
from knowledge.embedders import E5Embedder
from knowledge.loaders import UrlCache, discover, load
from knowledge.splitting import passages_of

ARTICLES = 6


def texts_per_document(sources: Path) -> list[list[str]]:
    specs, _ = discover([sources])
    batches = []
    for spec in specs:
        passages = passages_of(load(spec, UrlCache(sources, 0, None)).document)
        texts = []
        for p in passages:
            texts.append(p.embedding_text())
            if len(p.sentences) > 1:
                texts += [p.sentence_embedding_text(s) for s in p.sentences]
        batches.append(texts)
    return batches


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="policybot-ingest-"))
    everything = work / "all"
    write_sources(everything)
    sources = work / "sources"
    sources.mkdir()
    for path in sorted(everything.iterdir())[:ARTICLES]:
        shutil.copy(path, sources / path.name)
    batches = texts_per_document(sources)
    embedder = E5Embedder()
    embedder.embed_question("warm up")
    raw_times, pipeline_times = [], []
    passages = 0
    for attempt in range(2):
        started = time.perf_counter()
        for texts in batches:
            embedder.embed_passages(texts)
        raw_times.append(time.perf_counter() - started)
        kb = KnowledgeBase(KnowledgeConfig(data_dir=work / f"data{attempt}", sources=(sources,),
                                           offline=True))
        kb.__dict__["embedder"] = embedder
        started = time.perf_counter()
        summary = kb.refresher.refresh()
        pipeline_times.append(time.perf_counter() - started)
        passages = summary.passages
    count = sum(len(b) for b in batches)
    raw, pipeline = min(raw_times), min(pipeline_times)
    print(f"{ARTICLES} XQuAD articles: {passages} passages, {count} texts embedded "
          "(passages + sentences)\n")
    print(table(["what", "seconds", "passages/s", "texts/s"], [
        ["raw embedding (e5, same texts, same batches)", f"{raw:.2f}",
         f"{passages / raw:.1f}", f"{count / raw:.1f}"],
        ["full refresh (load, split, embed, Chroma, state)", f"{pipeline:.2f}",
         f"{passages / pipeline:.1f}", f"{count / pipeline:.1f}"],
    ]))
    print(f"\npipeline overhead: {(pipeline - raw) / raw * 100:+.1f} %")


if __name__ == "__main__":
    main()
