"""The `policybot` command."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TextIO

from bot.adapters.terminal.progress import progress_for
from bot.answering.answers import Question
from bot.answering.redaction import Redactor
from bot.cli.evaluation import evaluate, load_cases
from bot.errors import ConfigurationError, PolicybotError
from bot.serving.assistant import Assistant
from bot.serving.logs import setup_logging
from bot.serving.render import (
    answer_text,
    check_text,
    comparison_text,
    printable,
    refresh_text,
    sources_text,
)
from bot.serving.settings import Settings, load_settings, secure_data_dir
from knowledge import (
    AddedDocument,
    EmptyKnowledgeBase,
    KnowledgeBase,
    KnowledgeError,
    Retrieval,
)

log = logging.getLogger("policybot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policybot", description="Discuss policy with its sources at hand.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    refresh = commands.add_parser("refresh", help="re-read the sources into the knowledge base")
    refresh.add_argument("--json", action="store_true", help="print the summary as JSON")
    search = commands.add_parser("search", help="show the passages that match a query")
    search.add_argument("query", help="the query, or - to read one per line from stdin")
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    ask = commands.add_parser("ask", help="answer a question with cited passages")
    ask.add_argument("question", help="the question, or - to read one per line from stdin")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    compare = commands.add_parser("compare", help="who says what on a topic, by document")
    compare.add_argument("topic", help="the topic, or - to read one per line from stdin")
    compare.add_argument("--json", action="store_true", help="machine-readable output")
    check = commands.add_parser("check", help="the closest passages for each claim in a text")
    check.add_argument("claim", help="the claim(s), or - to read one text per line from stdin")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    sources = commands.add_parser("sources", help="list documents and passage counts")
    sources.add_argument("--json", action="store_true", help="machine-readable output")
    evaluate = commands.add_parser(
        "eval", help="measure answers against a question file (JSON Lines)")
    evaluate.add_argument("file", type=Path, help="questions with expected phrases, sources "
                          "or no_answer; see bot/cli/evaluation.py")
    evaluate.add_argument("--json", action="store_true", help="machine-readable output")
    commands.add_parser("chat", help="a conversation in the terminal")
    commands.add_parser("run", help="start the configured chat adapters (else the terminal)")
    return parser


def fail(message: str, code: int = 1) -> int:
    print(f"policybot: {message}", file=sys.stderr)
    return code


def inputs(argument: str, stdin: TextIO, what: str = "question") -> Iterator[str]:
    if argument != "-":
        if not argument.strip():
            raise ConfigurationError(f"the {what} is empty")
        yield argument
        return
    try:
        for line in stdin:
            # With a C locale Python reads undecodable bytes as surrogates, not errors.
            line.encode("utf-8")
            if line.strip():
                yield line.strip()
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise ConfigurationError("standard input is not UTF-8 text") from None


def search_json(retrieval: Retrieval) -> dict[str, object]:
    return {
        "query": retrieval.query,
        "passages": [
            {"id": h.id, "source": h.source, "title": h.title, "section": h.section,
             "text": h.text, "score": round(h.similarity, 4), "url": h.url}
            for h in retrieval.hits
        ],
    }


def search_text(retrieval: Retrieval) -> str:
    if not retrieval.hits:
        return "No passages."
    lines = []
    for rank, h in enumerate(retrieval.hits, start=1):
        lines.append(f"{rank}. {h.score:.3f}  {h.title} — {h.section}, ¶{h.paragraph} "
                     f"({h.url or h.source})")
        lines.append(f"   {h.text}")
    if not retrieval.relevant:
        lines.append("(none of these looks relevant to the query)")
    return "\n".join(lines)


def emit(payload: object, as_json: bool, text: Callable[[], str]) -> None:
    if as_json:
        print(json.dumps(payload, ensure_ascii=False), flush=True)
    else:
        print(printable(text()), flush=True)
        print(flush=True)


def run_search(kb: KnowledgeBase, query: str, k: int, as_json: bool,
               redact: Redactor) -> int:
    if k < 1:
        return fail("-k must be at least 1", 2)
    for text in inputs(query, sys.stdin):
        retrieval = kb.retriever.search(text, k=k)
        # A passage of an indexed file may hold a configured secret: never printed.
        retrieval = replace(retrieval, hits=[replace(h, text=redact(h.text), title=redact(
            h.title), sentence=redact(h.sentence)) for h in retrieval.hits])
        emit(search_json(retrieval), as_json, partial(search_text, retrieval))
    return 0


def run_ask(assistant: Assistant, question: str, as_json: bool) -> int:
    for text in inputs(question, sys.stdin):
        answer = assistant.ask(Question(text, user="cli", platform="cli", scopes=None))
        emit(answer.to_json(), as_json, partial(answer_text, answer))
    return 0


def run_compare(assistant: Assistant, topic: str, as_json: bool) -> int:
    for text in inputs(topic, sys.stdin, "topic"):
        reply = assistant.compare(text)
        if reply.comparison is None:  # the store failed: a chat message, here one line
            return fail(reply.text.replace("`", ""))
        emit(reply.comparison.to_json(), as_json, partial(comparison_text, reply.comparison))
    return 0


def run_check(assistant: Assistant, claim: str, as_json: bool) -> int:
    for text in inputs(claim, sys.stdin, "claim"):
        reply = assistant.check(text)
        if reply.check is None:
            return fail(reply.text.replace("`", ""))
        emit(reply.check.to_json(), as_json, partial(check_text, reply.check))
    return 0


def run_refresh(kb: KnowledgeBase, as_json: bool) -> int:
    summary = kb.refresh(progress_for(sys.stderr))
    if as_json:
        print(json.dumps({
            "added": summary.added, "changed": summary.changed, "removed": summary.removed,
            "unchanged": summary.unchanged,
            "failed": [{"source": s, "reason": r} for s, r in summary.failed],
            "notes": [{"source": s, "note": n} for s, n in summary.notes],
            "passages": summary.passages, "seconds": round(summary.seconds, 3),
            "rebuilt_from": summary.rebuilt_from,
            "words": [{"source": source, "read": count.read, "kept": count.kept}
                      for source, count in sorted(summary.words.items())],
            "sections": [{"source": source, "added": list(changes.added),
                          "changed": list(changes.changed),
                          "removed": list(changes.removed)}
                         for source, changes in sorted(summary.sections.items())],
        }, ensure_ascii=False))
    else:
        print(printable(refresh_text(summary)))
    return 0


def run_sources(kb: KnowledgeBase, as_json: bool) -> int:
    state = kb.state_file.current()
    added = kb.added_documents()
    if as_json:
        print(json.dumps({
            "embedder": state.embedder, "refreshed_at": state.refreshed_at,
            "passages": state.passage_count,
            "documents": [
                {"source": e.source, "title": e.title, "url": e.url, "language": e.language,
                 "passages": e.passages, "refreshed_at": e.refreshed_at,
                 "read_at": e.read_at or e.refreshed_at,
                 "added": _added(added[e.source]) if e.source in added else None,
                 "scopes": list(e.scopes)}
                for e in sorted(state.documents.values(), key=lambda e: e.source)
            ],
            "failed": [{"source": source, "reason": failed.reason,
                        "last_worked": failed.last_worked}
                       for source, failed in sorted(state.failed.items())],
        }, ensure_ascii=False))
    else:
        print(printable(sources_text(state, added)))
    return 0


def _added(document: AddedDocument) -> dict[str, object]:
    return {"by": document.added_by, "at": document.added_at, "where": document.where,
            "platform": document.platform, "from": document.url or document.offered}


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    kb = KnowledgeBase(settings.knowledge())
    if args.command == "refresh":
        return run_refresh(kb, args.json)
    if args.command == "search":
        return run_search(kb, args.query, args.k, args.json, Redactor(settings.secrets()))
    if args.command == "sources":
        return run_sources(kb, args.json)
    if args.command == "eval":
        cases = load_cases(args.file)  # a bad file fails before any model is loaded
    if args.command in {"ask", "eval", "compare", "check"} and \
            not kb.state_file.current().documents:
        # The assistant answers an empty knowledge base with a chat message; a command
        # fails with one line and a non-zero exit instead.
        raise EmptyKnowledgeBase
    assistant = Assistant.from_settings(settings, kb)
    if args.command == "ask":
        return run_ask(assistant, args.question, args.json)
    if args.command == "compare":
        return run_compare(assistant, args.topic, args.json)
    if args.command == "check":
        return run_check(assistant, args.claim, args.json)
    if args.command == "eval":
        report = evaluate(assistant, cases)
        emit(report.to_json(), args.json, report.text)
        return 0
    # Imported here: the platform libraries cost start-up time the other commands need not pay.
    from bot.cli.run import run  # noqa: PLC0415

    return run(settings, assistant)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        return fail(str(error), 2)
    setup_logging(settings.log_level, settings.log_format, settings.secrets())
    try:
        secure_data_dir(settings)
        return dispatch(args, settings)
    except ConfigurationError as error:
        return fail(str(error), 2)
    except (KnowledgeError, PolicybotError) as error:
        log.debug("%s failed", args.command, exc_info=True)
        return fail(str(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
        sys.stderr.close()
        return 0
    except Exception as error:
        log.debug("command failed", exc_info=True)
        return fail(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                    .rstrip(": "))
