"""Fit the relevance judge's weights on fit data only, and print them.

Run: .venv/bin/python -m bench.fit_judge --work DIR

Features per question (see knowledge/search/retriever.py, RelevanceJudge): the best calibrated
e5 score (margin over unrelated text in the passage's language) and USE's similarity
between the question and the matched sentences. Groups, all from fit data:

- relevant: the fit half of eval/realcorpus.jsonl's answerable questions, asked of the
  mixed knowledge base (regulations + essay); 250 XQuAD questions per language asked of
  the XQuAD knowledge base;
- not relevant: the fit half's off-topic questions; the same 250 XQuAD questions per
  language asked of the essay alone (a knowledge base about something else).

A logistic regression on the two features (groups weighted equally) gives the weights;
the report half of eval/realcorpus.jsonl is never looked at here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bench.essay import essay_knowledge
from bench.realcorpus import lay_sources, load_cases
from bench.xquad import questions, write_sources
from bot.cli.tables import table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.search.judge import RelevanceJudge

XQUAD_PER_LANGUAGE = 250


def features(kb: KnowledgeBase, texts: list[str]) -> list[tuple[float, float]]:
    rows = []
    judge = kb.retriever.judge
    for text in texts:
        hits = kb.retriever.search(text, k=5).hits
        margin = max(hit.calibrated for hit in hits)
        rows.append((margin, judge.second_opinion(text, [h.sentence for h in hits[:3]])))
    return rows


def fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Logistic regression by gradient descent on standardised features."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    z = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    theta = np.zeros(z.shape[1])
    for _ in range(20_000):
        p = 1 / (1 + np.exp(-z @ theta))
        theta -= 0.5 * (z.T @ ((p - y) * weights)) / weights.sum()
    # Back to the raw features' scale: w . (x - mean) / std + b
    raw = theta[:2] / std
    return np.array([*raw, theta[2] - float(raw @ mean)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    work: Path = args.work
    mixed = KnowledgeBase(KnowledgeConfig(data_dir=work / "mixed-data",
                                          sources=tuple(lay_sources(work)), offline=True))
    mixed.refresher.refresh()
    sources = work / "xquad-sources"
    write_sources(sources)
    xquad = KnowledgeBase(KnowledgeConfig(data_dir=work / "xquad-data", sources=(sources,),
                                          offline=True))
    xquad.refresher.refresh()
    essay = essay_knowledge(work / "essay-data")
    cases = [c for c in load_cases() if c.split == "fit"]
    asked = [q.text for lang in ("de", "en") for q in questions(lang)[:XQUAD_PER_LANGUAGE]]
    groups = {
        "realcorpus fit answerable": (features(mixed, [c.question for c in cases
                                                        if not c.no_answer]), 1),
        "realcorpus fit off-topic": (features(mixed, [c.question for c in cases
                                                       if c.no_answer]), 0),
        "XQuAD asked of XQuAD": (features(xquad, asked), 1),
        "XQuAD asked of the essay": (features(essay, asked), 0),
    }
    x = np.array([row for rows, _ in groups.values() for row in rows])
    y = np.array([label for rows, label in groups.values() for _ in rows], dtype=float)
    w = np.array([1 / len(rows) for rows, _ in groups.values() for _ in rows])
    margin_w, second_w, bias = fit(x, y, w)
    print(f"fitted: evidence = {margin_w:.1f} x margin + {second_w:.1f} x second opinion "
          f"{bias:+.2f}\n")
    current = RelevanceJudge.MARGIN_WEIGHT, RelevanceJudge.SECOND_WEIGHT, RelevanceJudge.BIAS
    rows = []
    for name, (values, label) in groups.items():
        data = np.array(values)
        for title, (a, b, c) in (("fitted", (margin_w, second_w, bias)), ("in use", current)):
            evidence = a * data[:, 0] + b * data[:, 1] + c
            right = (evidence >= 0) if label else (evidence < 0)
            rows.append([name, title, f"{right.mean():.3f}", len(values),
                         f"{np.median(data[:, 0]):.4f}", f"{np.median(data[:, 1]):.3f}"])
    print(table(["group", "weights", "judged right", "n", "median margin",
                 "median second opinion"], rows))


if __name__ == "__main__":
    main()
