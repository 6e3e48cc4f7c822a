"""From `add` to the reply, for a ~20-page PDF of ~8,000 words (issue 33's target: 12 s).

Run: .venv/bin/python -m bench.add_document [--runs 3]

The PDF is real text printed as the Official Journal prints it: Articles of the Cyber
Resilience Act (the excerpt kept in tests/data) with running header and ELI footer
(tests/regulation_pdf.py), enough Articles for ~8,000 words. The knowledge base holds the
essay; an admin's `add` goes through the Assistant as an adapter hands it on (the file
given as an attachment), so the figure holds judging the file, storing it, reading it
again in the refresh, embedding and the state swap: everything but the platform's
download. Each run after the first replaces the document added before (the same work,
and what re-adding a revised draft costs). Also shown: embedding the same texts alone, so
the overhead of the rest is visible. Measure on a quiet machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bot.cli.tables import table
from bot.serving.assistant import Assistant
from bot.serving.commands import Attachment, Request
from knowledge.assembly.knowledge_base import KnowledgeBase, KnowledgeConfig
from knowledge.index.embedders import E5Embedder
from knowledge.index.refresh import read_offered
from knowledge.passages.splitting import passages_of
from knowledge.sources.discovery import SourceSpec
from tests.regulation_pdf import article_paragraphs, regulation_pdf

REPO = Path(__file__).resolve().parent.parent
ADMIN = "UADMIN"
TARGET_WORDS = 8000
LAST = 17


def draft() -> tuple[bytes, int, str]:
    """The PDF (the run of Articles up to 17, the excerpt's last, whose words come closest
    to the target), its word count, and which Articles it holds."""
    def words(first: int) -> int:
        return sum(len(text.split()) for _, text in article_paragraphs(first, LAST))

    first = min(range(3, LAST + 1), key=lambda f: abs(words(f) - TARGET_WORDS))
    return regulation_pdf(first, LAST), words(first), f"Articles {first} to {LAST}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data, words, articles = draft()
    work = Path(tempfile.mkdtemp(prefix="policybot-add-"))
    kb = KnowledgeBase(KnowledgeConfig(data_dir=work / "data",
                                       sources=(REPO / "seeds",), offline=True,
                                       dictionary="off"))
    embedder = E5Embedder()
    embedder.embed_question("warm up")
    kb.__dict__["embedder"] = embedder
    kb.refresher.refresh()
    assistant = Assistant(kb, frozenset({ADMIN}))

    seconds, replies = [], []
    for _ in range(args.runs):
        request = Request.of('add "Cyber Resilience Act excerpt"', ADMIN, "slack",
                             place="C1")
        request = Request(request.command, request.user, request.platform,
                          place=request.place,
                          attachment=Attachment("cra-excerpt.pdf", len(data),
                                                lambda limit: data, "application/pdf"))
        started = time.perf_counter()
        reply = assistant.handle(request)
        seconds.append(time.perf_counter() - started)
        replies.append(reply.text)

    spec = SourceSpec(key="cra-excerpt.pdf", path=None, url="")
    passages = passages_of(read_offered(spec, data, "pdf").document)
    texts = [p.embedding_text() for p in passages]
    texts += [p.sentence_embedding_text(s) for p in passages if len(p.sentences) > 1
              for s in p.sentences]
    started = time.perf_counter()
    embedder.embed_passages(texts)
    embedding = time.perf_counter() - started
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")

    print(f"the PDF: Cyber Resilience Act {articles}, {pages} pages, {words:,} words, "
          f"{len(data) / 1024:.0f} KB; {len(passages)} passages, {len(texts)} texts "
          "embedded\n")
    print(table(["what", "seconds"], [
        *[[f"add, run {n} ({'new' if n == 1 else 'replaces the last'})", f"{s:.1f}"]
          for n, s in enumerate(seconds, 1)],
        ["add, median", f"{statistics.median(seconds):.1f}"],
        ["embedding the same texts alone", f"{embedding:.1f}"],
    ]))
    print(f"\nthe reply: {replies[-1]}")


if __name__ == "__main__":
    main()
