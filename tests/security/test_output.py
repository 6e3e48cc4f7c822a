"""Output is clean on every surface: Slack markup escaped and links validated, Matrix
notices mention nobody, the terminal gets no control sequences."""

from __future__ import annotations

import io
import json

from bot.adapters.slack.format import answer_message, notice_message, safe_url
from bot.adapters.terminal.chat import chat
from bot.answering.answers import Answer, Citation
from bot.serving.commands import Reply, Request
from bot.serving.render import answer_text, printable
from knowledge.index.refresh import Progress

HOSTILE = "Ask <!channel> and <!everyone>, or <@U0BOSS>; see <http://evil.example|trusted.gov>."


def cited(text: str = HOSTILE, url: str = "https://example.org/doc") -> Answer:
    citation = Citation(n=1, id="p1", source="doc.md", title="Doc", section="Art. 1",
                        paragraph=1, text=text, quote=text[:20], url=url, score=0.9)
    return Answer("q", text + " [1]", True, citations=(citation,))


def test_slack_never_sends_markup_from_a_passage_raw() -> None:
    message = answer_message(cited())
    everything = message.text + json.dumps(message.blocks)
    for raw in ("<!channel>", "<!everyone>", "<@U0BOSS>", "<http://evil.example|"):
        assert raw not in everything
    assert "&lt;!channel&gt;" in message.text  # shown, as text
    assert "<!here>" not in notice_message("say <!here>").text


def test_slack_links_are_validated_before_they_become_markup() -> None:
    assert safe_url("https://example.org/a?b=c") == "https://example.org/a?b=c"
    for bad in ("https://ok.example/x|evil", "https://ok.example/>x", "https://a b",
                "javascript:alert(1)", "file:///etc/passwd"):
        assert safe_url(bad) == ""
        blocks = answer_message(cited(url=bad)).blocks
        assert blocks is not None
        heading = next(b for b in blocks if "*[1]*" in json.dumps(b))["text"]["text"]
        assert heading.split("\n")[0] == "*[1]* Doc — Art. 1, ¶1"  # no link at all


def test_a_long_label_is_cut_but_its_link_stays_whole() -> None:
    answer = cited()
    long = Citation(**{**answer.citations[0].__dict__, "title": "T" * 5000})
    block = answer_message(Answer("q", "x [1]", True, citations=(long,))).blocks
    assert block is not None
    heading = next(b for b in block if "*[1]*" in json.dumps(b))["text"]["text"]
    first_line = heading.split("\n")[0]
    assert first_line.startswith("*[1]* <https://example.org/doc|") and first_line.endswith(">")


class ScriptedTerminalBot:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer

    def handle(self, request: Request, progress: Progress | None = None) -> Reply:
        return Reply("ask", answer_text(self.answer), self.answer)

    def is_admin(self, user: str, platform: str) -> bool:
        return True

    def cost(self, request: Request) -> int:
        return 1

    def help_text(self, wait: bool = True) -> str:
        return "scripted help"

    def report_error(self, kind: str) -> None:
        pass

    def remembered(self, thread: str) -> tuple[str, ...]:
        return ()

    def forget(self, mark: str) -> None:
        pass


def test_the_terminal_gets_no_control_sequences() -> None:
    evil = "Normal \x1b[2J\x1b]0;pwned\x07text\x1b[31m red \x9b31m\x07 end."
    assert printable(evil) == "Normal text red 31m end."
    out = io.StringIO()
    chat(ScriptedTerminalBot(cited(evil)), stdin=io.StringIO("question\n"), stdout=out)
    assert "\x1b" not in out.getvalue() and "\x9b" not in out.getvalue()
    assert "Normal text red" in out.getvalue()
