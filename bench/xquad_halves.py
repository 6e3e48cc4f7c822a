"""XQuAD's dev half split by article into a fit and a report half (issue 30).

Run: .venv/bin/python -m bench.xquad_halves [--work DIR] [--code DIR] [--reuse]

bench/retrieval_quality.py scores the 24 articles of ../shared/bench/xquad/ together, and
XQuAD has been fit data (the overlap weight, the judge). Here the articles are split once
and for all: sorted by title, the 1st, 3rd, 5th, ... are "fit" (tuning may look at them),
the 2nd, 4th, ... "report" (never tuned on). One knowledge base of all 24 articles is built
and searched through the CLI of the checkout `--code` names (`policybot refresh`,
`policybot search - -k 10 --json`: the retriever bench/retrieval_quality.py calls, with
the same defaults), so a frozen worktree can be measured while knowledge/ is being moved.
Each question is scored in its article's half, as bench/retrieval_quality.py scores it: a
hit at a rank is a passage holding the question's paragraph (parts of one long paragraph
count once).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from bench.realcorpus import REPO, run_cli
from bench.xquad import XQUAD, Question, article_file, paragraphs, questions, write_sources
from bot.cli.tables import table

HALVES = ("fit", "report")
MISSING_SHARED = ("bench.xquad_halves: needs ../shared/bench/xquad (the XQuAD dev half beside "
                  "the repo)")
Ranking = list[frozenset[tuple[str, int]]]  # each hit's XQuAD paragraphs, best first


def halves(xquad: Path = XQUAD) -> dict[str, str]:
    """Each article's file name -> "fit" or "report": titles sorted, alternating."""
    data = json.loads((xquad / "xquad.de.dev.json").read_text(encoding="utf-8"))
    titles = sorted(article["title"] for article in data["data"])
    return {article_file(title): HALVES[i % 2] for i, title in enumerate(titles)}


def _fold(text: str) -> str:
    return " ".join(text.split())


@cache
def _folded_paragraphs() -> list[tuple[str, int, str]]:
    return [(name, number, _fold(body)) for name, number, body in paragraphs()]


def held(source: str, text: str) -> frozenset[tuple[str, int]]:
    """The XQuAD paragraphs a passage holds (part of a long one, or short ones merged)."""
    text = _fold(text)
    return frozenset((name, number) for name, number, body in _folded_paragraphs()
                     if name == source and (body[:80] in text or text[:80] in body))


def ranking(passages: Sequence[dict[str, object]]) -> Ranking:
    ranked: Ranking = []
    for passage in passages:
        paragraphs_held = held(str(passage["source"]), str(passage["text"]))
        if paragraphs_held not in ranked:
            ranked.append(paragraphs_held)
    return ranked


def recall(ranked: Sequence[Ranking], gold: Sequence[Question]) -> tuple[float, float]:
    """recall@1 and recall@5."""
    ranks = [next((i for i, hit in enumerate(r[:10]) if (q.source, q.paragraph) in hit), None)
             for r, q in zip(ranked, gold, strict=True)]
    return (sum(r == 0 for r in ranks) / len(gold),
            sum(r is not None and r < 5 for r in ranks) / len(gold))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--code", type=Path, default=REPO,
                        help="the checkout whose bot/ and knowledge/ are measured")
    parser.add_argument("--reuse", action="store_true",
                        help="search the index an earlier run left in --work (no refresh)")
    args = parser.parse_args()
    if not all((XQUAD / f"xquad.{language}.dev.json").is_file() for language in ("de", "en")):
        raise SystemExit(MISSING_SHARED)
    work = args.work or Path(tempfile.mkdtemp(prefix="policybot-xquad-halves-"))
    sources = work / "xquad-sources"
    write_sources(sources)
    data = work / "xquad-data"
    if not (args.reuse and (data / "knowledge.json").exists()):
        if data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True)
        run_cli(args.code.resolve(), data, [sources], ["refresh"])
    half_of = halves()
    rows: list[list[object]] = []
    for language in ("de", "en"):
        asked = questions(language)
        out = run_cli(args.code.resolve(), data, [sources], ["search", "-", "-k", "10", "--json"],
                      stdin="".join(q.text.replace("\n", " ") + "\n" for q in asked))
        ranked = [ranking(json.loads(line)["passages"]) for line in out.splitlines()
                  if line.strip()]
        if len(ranked) != len(asked):
            raise RuntimeError(f"{len(ranked)} searches for {len(asked)} questions")
        for half in (*HALVES, "both"):
            chosen = [(r, q) for r, q in zip(ranked, asked, strict=True)
                      if half in ("both", half_of[q.source])]
            gold = [q for _, q in chosen]
            r1, r5 = recall([r for r, _ in chosen], gold)
            rows.append([f"{language.upper()}->DE", half, len({q.source for q in gold}),
                         len(gold), r1, r5])
    fit = sorted(name.removesuffix(".md") for name, half in half_of.items() if half == "fit")
    print(f"XQuAD dev half split by article (titles sorted, alternating); policybot's "
          f"default index (paragraphs + sentences, fused). Fit articles: {', '.join(fit)}\n")
    print(table(["questions", "half", "articles", "questions asked", "recall@1", "recall@5"],
                rows))


if __name__ == "__main__":
    main()
