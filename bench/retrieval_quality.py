"""Retrieval quality on XQuAD (German paragraphs; DE->DE and EN->DE).

Run: .venv/bin/python -m bench.retrieval_quality [--work DIR]

Compares, in one run on the same data: policybot's index (paragraphs + sentences fused by
passage), a paragraph-only index, and BM25 (bm25s + Snowball German stemmer). Also scores
the relevance judge: XQuAD questions asked of their own paragraphs should be answered,
the same questions asked of the essay should be refused.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from functools import cache
from pathlib import Path

import bm25s
import Stemmer

from bench.xquad import Question, paragraphs, questions, write_sources
from bot.cli.tables import table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.search.results import Fusion

REPO = Path(__file__).resolve().parent.parent


Ranked = list[list[frozenset[tuple[str, int]]]]  # per question: each hit's XQuAD paragraphs


def score(ranked: Ranked, gold: list[Question]) -> tuple[float, float, float]:
    r1 = r5 = mrr = 0.0
    for ranking, question in zip(ranked, gold, strict=True):
        target = (question.source, question.paragraph)
        rank = next((i for i, held in enumerate(ranking[:10]) if target in held), None)
        if rank is not None:
            r1 += rank == 0
            r5 += rank < 5
            mrr += 1 / (rank + 1)
    n = len(gold)
    return r1 / n, r5 / n, mrr / n


def _fold(text: str) -> str:
    return " ".join(text.split())


@cache
def _folded_paragraphs() -> list[tuple[str, int, str]]:
    return [(name, number, _fold(body)) for name, number, body in paragraphs()]


def xquad_paragraphs(source: str, text: str) -> list[tuple[str, int]]:
    """The XQuAD paragraphs a passage holds (a passage may hold part of a long paragraph,
    or several short ones merged)."""
    text = _fold(text)
    return [(name, number) for name, number, body in _folded_paragraphs()
            if name == source and (body[:80] in text or text[:80] in body)]


def dense(kb: KnowledgeBase, qs: list[Question]) -> tuple[Ranked, float]:
    """Each hit as the XQuAD paragraphs it holds: a passage holding the question's
    paragraph (with a neighbour it was merged with) is a hit at its own rank."""
    started = time.perf_counter()
    ranked: Ranked = []
    for q in qs:
        hits = kb.retriever.search(q.text, k=10).hits
        ranking: list[frozenset[tuple[str, int]]] = []
        for hit in hits:
            held = frozenset(xquad_paragraphs(hit.source, hit.text))
            if held not in ranking:  # parts of one long paragraph count once
                ranking.append(held)
        ranked.append(ranking)
    return ranked, (time.perf_counter() - started) / len(qs) * 1000


def bm25(qs: list[Question]) -> tuple[Ranked, float]:
    corpus = paragraphs()
    stemmer = Stemmer.Stemmer("german")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([text for _, _, text in corpus], stopwords="de",
                                   stemmer=stemmer, show_progress=False), show_progress=False)
    started = time.perf_counter()
    tokens = bm25s.tokenize([q.text for q in qs], stopwords="de", stemmer=stemmer,
                            show_progress=False)
    results, _ = retriever.retrieve(tokens, k=10, show_progress=False)
    elapsed = (time.perf_counter() - started) / len(qs) * 1000
    return [[frozenset([corpus[i][:2]]) for i in row] for row in results.tolist()], elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=None,
                        help="reuse this folder's indexes between runs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="policybot-bench-"))
    sources = work / "xquad-sources"
    write_sources(sources)
    rows = []
    kbs: dict[Fusion, KnowledgeBase] = {}
    variants: list[tuple[Fusion, str]] = [
        ("max", "policybot: paragraphs + sentences, fused (default)"),
        ("passages", "paragraph-only index (e5)"),
    ]
    for fusion, label in variants:
        kb = KnowledgeBase(KnowledgeConfig(data_dir=work / "xquad-data",
                                           sources=(sources,), offline=True, fusion=fusion))
        started = time.perf_counter()
        kb.refresher.refresh()
        print(f"# index ready in {time.perf_counter() - started:.1f} s", flush=True)
        kbs[fusion] = kb
        for language in ("de", "en"):
            qs = questions(language)
            ranked, ms = dense(kb, qs)
            rows.append([label, f"{language.upper()}->DE", *score(ranked, qs), f"{ms:.1f}"])
    for language in ("de", "en"):
        qs = questions(language)
        ranked, ms = bm25(qs)
        rows.append(["BM25 (bm25s + German Snowball)", f"{language.upper()}->DE",
                     *score(ranked, qs), f"{ms:.2f}"])
    print(f"XQuAD dev half: {len(paragraphs())} German paragraphs, "
          f"{len(questions('de'))} questions per language\n")
    print(table(["index", "questions", "recall@1", "recall@5", "MRR@10", "ms/query"], rows))

    essay = KnowledgeBase(KnowledgeConfig(data_dir=work / "essay-data",
                                          sources=(REPO / "seeds",), offline=True))
    essay.refresher.refresh()
    probe = [json.loads(line) for line in
             (REPO / "tests" / "data" / "essay_probe.jsonl").read_text("utf-8").splitlines()]
    judged = []
    for language in ("de", "en"):
        qs = questions(language)
        answered = sum(kbs["max"].retriever.search(q.text, k=5).relevant for q in qs)
        refused = sum(not essay.retriever.search(q.text, k=5).relevant for q in qs)
        judged.append([f"XQuAD {language.upper()} questions", f"{answered / len(qs):.3f}",
                       f"{refused / len(qs):.3f}"])
    on = [p for p in probe if p["paragraph"] is not None]
    off = [p for p in probe if p["paragraph"] is None]
    judged.append([
        f"essay probe ({len(on)} on-topic, {len(off)} off-topic)",
        f"{sum(essay.retriever.search(p['question']).relevant for p in on) / len(on):.3f}",
        f"{sum(not essay.retriever.search(p['question']).relevant for p in off) / len(off):.3f}",
    ])
    print("\nRelevance judge (on-topic: asked of their own knowledge base; off-topic: XQuAD "
          "questions asked of the essay, probe questions about other things)\n")
    print(table(["questions", "on-topic answered", "off-topic refused"], judged))


if __name__ == "__main__":
    main()
