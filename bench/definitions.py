"""Questions asking what a term means, on the real-corpus knowledge base: is the term's
definition cited, and quoted first?

Run: .venv/bin/python -m bench.definitions --dev DATA_DIR

DATA_DIR is the knowledge base bench/realcorpus.py builds (its `data-current`). The
questions (eval/definitions.jsonl) ask about terms the two EU regulations define
("'support period' means ..."), in English and (session 8) in German; a definition
counts as cited when a citation's passage holds "'TERM' means", quoted first when the
first citation's quote does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from bot.cli.tables import table
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig

CASES = Path(__file__).resolve().parent.parent / "eval" / "definitions.jsonl"


def _fold(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dev", type=Path, required=True)
    args = parser.parse_args()
    lines = CASES.read_text("utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]
    kb = KnowledgeBase(KnowledgeConfig(data_dir=args.dev, sources=(), offline=True))
    answerer = Answerer(kb.retriever)
    rows: list[list[object]] = []
    cited: dict[str, int] = {}
    first: dict[str, int] = {}
    for case in cases:
        answer = answerer.answer(Question(case["question"]))
        wanted = f"'{case['term']}' means".lower()
        holds = [wanted in _fold(c.text) for c in answer.citations]
        quoted = bool(answer.citations) and wanted in _fold(answer.citations[0].quote)
        language = case.get("language", "en")
        cited[language] = cited.get(language, 0) + any(holds)
        first[language] = first.get(language, 0) + quoted
        rows.append([case["question"], "yes" if any(holds) else "no",
                     "yes" if quoted else "no"])
    print(table(["question", "definition cited", "quoted first"], rows))
    for language, count in cited.items():
        asked = sum(case.get("language", "en") == language for case in cases)
        print(f"\n{language} questions: definition cited {count}/{asked}, "
              f"quoted first {first[language]}/{asked}")


if __name__ == "__main__":
    main()
