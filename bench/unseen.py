"""Passages and answers on documents the engine was never tuned on.

Run: .venv/bin/python -m bench.unseen [--work DIR] [--code DIR] [--reuse]
                                      [--german-reference PDF]

The dev corpus is two EU regulations and an essay; a team indexes other things too. This
knowledge base is what any Debian machine has at hand, none of it looked at while the
engine was built: three licences from base-files (GPL-3, Apache-2.0, MPL-2.0: plain text
with numbered sections, underlined headings, a disclaimer boxed in stars) and, where their
packages are installed, two PDF manuals (the Shared MIME-info specification and the
libtasn1 manual: tables of contents with dot leaders, running headers naming the chapter
and the page, "2.1 Title" sections), beside the seed essay. Missing files are left out and
named.

Printed: per document, its passages, the share whose heading path names a section (what
a citation shows as "where"; a bare paragraph number "2" names none), their median
length, the passages holding a contents line
(a dot leader and a page number) and those ending without a sentence or list mark; then
the questions of eval/unseen.jsonl (English and German questions about the English
documents, and off-topic ones): a hit when one of the first three citations holds an
expected phrase from an expected source. `--code DIR` measures another checkout (e.g. a
`git worktree` of an older commit) through its own CLI, the same way.

`--german-reference` adds the German edition of Debian's Developer's Reference (a
Sphinx PDF of 117 pages: chapters spelled "KAPITEL 4", running headers with page
numbers, words placed without spaces) and the questions about it: English and German
ones about German text (EN->DE, DE->DE). It is not installed by default; fetch it with
`apt-get download developers-reference-de && dpkg-deb -x developers-reference-de_*.deb x`
(the PDF is x/usr/share/developers-reference/de/developers-reference.pdf).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
from pathlib import Path

from bench.realcorpus import (
    COMPLETE_END,
    REPO,
    Case,
    first_quote_holds,
    hit,
    rate,
    run_cli,
    stored_passages,
)
from bot.cli.tables import table

QUESTIONS = REPO / "eval" / "unseen.jsonl"
LICENCES = Path("/usr/share/common-licenses")
DOCUMENTS = {
    "GPL-3.txt": LICENCES / "GPL-3",
    "Apache-2.0.txt": LICENCES / "Apache-2.0",
    "MPL-2.0.txt": LICENCES / "MPL-2.0",
    "shared-mime-info-spec.pdf": Path("/usr/share/doc/shared-mime-info/"
                                      "shared-mime-info-spec.pdf"),
    "libtasn1.pdf": Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf"),
}
_LETTER = re.compile(r"[^\W\d_]")
CONTENTS_LINE = re.compile(r"(?:\s?\.){4,}\s*\d{1,4}\b")


GERMAN_REFERENCE = "developers-reference-de.pdf"


def lay_sources(work: Path, german_reference: Path | None) -> tuple[Path, list[str]]:
    folder = work / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    missing = []
    documents = {**DOCUMENTS, **({GERMAN_REFERENCE: german_reference}
                                 if german_reference else {})}
    for name, path in documents.items():
        if path.exists():
            shutil.copy(path, folder / name)
        else:
            missing.append(str(path))
    shutil.copy(REPO / "seeds" / "mythos-europaeische-ki-souveraenitaet.txt", folder)
    return folder, missing


def load_cases() -> list[Case]:
    cases = []
    for line in QUESTIONS.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            data = json.loads(line)
            cases.append(Case(data["question"], tuple(data.get("expected_phrases", ())),
                              tuple(data.get("expected_sources", ())),
                              bool(data.get("no_answer")), data["pair"], "unseen"))
    return cases


def document_rows(passages: list[dict[str, str]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for name in sorted({p["source"].rsplit("/", 1)[-1] for p in passages}):
        mine = [p for p in passages if p["source"].endswith(name)]
        words = [len(p["text"].split()) for p in mine]
        named = sum(bool(_LETTER.search(p["section"])) for p in mine)
        rows.append([name, len(mine), f"{named / len(mine):.2f}",
                     round(statistics.median(words)),
                     sum(bool(CONTENTS_LINE.search(p["text"])) for p in mine),
                     sum(not COMPLETE_END.search(p["text"].rstrip()) for p in mine)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--code", type=Path, default=REPO,
                        help="the checkout to measure (default: this one)")
    parser.add_argument("--reuse", action="store_true",
                        help="ask the index an earlier run left in --work again")
    parser.add_argument("--german-reference", type=Path, default=None,
                        help="the German Developer's Reference PDF (see above)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="policybot-unseen-"))
    work.mkdir(parents=True, exist_ok=True)
    folder, missing = lay_sources(work, args.german_reference)
    data = work / "data"
    if not (args.reuse and (data / "knowledge.json").exists()):
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir()
        run_cli(args.code, data, [folder], ["refresh"])
    laid = {path.name for path in folder.iterdir()}
    # Questions about a document left out are not asked.
    cases = [case for case in load_cases()
             if not case.sources or any(source in laid for source in case.sources)]
    out = run_cli(args.code, data, [folder], ["ask", "-", "--json"],
                  stdin="".join(c.question + "\n" for c in cases))
    answers = [json.loads(line) for line in out.splitlines() if line.strip()]
    print(f"Code: {args.code}. Documents: {len(laid) - 1} and the essay"
          + (f" (missing: {', '.join(missing)})" if missing else "") + ".\n")
    print(table(["document", "passages", "with a named heading", "median words",
                 "contents lines", "ending mid-sentence"],
                document_rows(stored_passages(data))))
    print()
    rows = []
    for pair in ("EN->EN", "DE->EN", "EN->DE", "DE->DE"):
        chosen = [(c, a) for c, a in zip(cases, answers, strict=True) if c.pair == pair]
        if not chosen:
            continue
        rows.append([pair, rate([hit(c, a) for c, a in chosen]),
                     rate([first_quote_holds(c, a) for c, a in chosen])])
    refused = [not a.get("grounded") for c, a in zip(cases, answers, strict=True)
               if c.no_answer]
    print(table(["questions", "hit@3", "phrase in 1st quote"], rows))
    print(f"\nOff-topic refused: {rate(refused)}")
    for case, answer in zip(cases, answers, strict=True):
        if (answer.get("grounded") if case.no_answer else not hit(case, answer)):
            cited = [f"{c['section'][:40]!r}" for c in answer.get("citations", [])[:3]]
            print(f"miss [{case.pair}] {case.question!r} -> "
                  f"{cited if answer.get('grounded') else 'refused'}")


if __name__ == "__main__":
    main()
