"""Matrix message content: answers as HTML notices, questions read from bodies and pills."""

from __future__ import annotations

import html
import re
from typing import Any

from bot.answering.answers import Answer, Citation
from bot.serving.render import answer_text, locator

# Homeservers refuse events over 64 KiB; body and HTML together stay well below that.
MAX_PART_CHARS = 24_000
CUT_NOTE = "The answer was cut to fit a Matrix message."
HTML_FORMAT = "org.matrix.custom.html"

Content = dict[str, Any]


def _cut(text: str, limit: int = MAX_PART_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def citation_html(citation: Citation) -> str:
    place = html.escape(locator(citation))
    url = citation.url if citation.url.startswith(("http://", "https://")) else ""
    heading = f'<a href="{html.escape(url)}">{place}</a>' if url else place
    passage = html.escape(_cut(" ".join(citation.text.split()), 4000))
    quote = html.escape(" ".join(citation.quote.split()))
    if quote and quote in passage:
        passage = passage.replace(quote, f"<strong>{quote}</strong>", 1)
    return f"<p><strong>[{citation.n}]</strong> {heading}</p>\n<blockquote>{passage}</blockquote>"


def answer_content(answer: Answer) -> Content:
    """An m.notice: readable plain `body`, and HTML with the citations laid out."""
    text = answer.text
    cut = len(text) > MAX_PART_CHARS // 2
    if cut:
        text = _cut(text, MAX_PART_CHARS // 2)
        answer = Answer(answer.question, text, answer.grounded, answer.mode, answer.citations,
                        answer.note or CUT_NOTE)
    paragraphs = [f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>"
                  for p in text.split("\n\n") if p.strip()]
    if answer.note:
        paragraphs.append(f"<p><em>{html.escape(answer.note)}</em></p>")
    paragraphs.extend(citation_html(c) for c in answer.citations)
    return {"msgtype": "m.notice", "body": _cut(answer_text(answer)), "format": HTML_FORMAT,
            "formatted_body": _cut("\n".join(paragraphs), 2 * MAX_PART_CHARS)}


def notice_content(text: str) -> Content:
    """A command's reply; line layout (sources, refresh summary) kept in <pre>."""
    body = _cut(text)
    if "\n" not in text:
        return {"msgtype": "m.notice", "body": body}
    return {"msgtype": "m.notice", "body": body, "format": HTML_FORMAT,
            "formatted_body": f"<pre>{html.escape(body)}</pre>"}


def mentions(content: Content, user_id: str, display_name: str) -> bool:
    """Whether a message addresses the bot: m.mentions, a pill, its id or its name."""
    if user_id in (content.get("m.mentions") or {}).get("user_ids", []):
        return True
    formatted = str(content.get("formatted_body") or "")
    if f"matrix.to/#/{user_id}" in formatted or \
            f"matrix.to/#/{user_id.replace('@', '%40').replace(':', '%3A')}" in formatted:
        return True
    body = question_body(content)
    names = [user_id] + ([display_name] if display_name else [])
    return any(re.search(rf"(?<![\w@]){re.escape(name)}(?!\w)", body, re.IGNORECASE)
               for name in names)


def question_body(content: Content) -> str:
    """The body without a reply's quoted fallback lines."""
    lines = str(content.get("body") or "").splitlines()
    if lines and lines[0].startswith("> <"):
        while lines and lines[0].startswith(">"):
            lines.pop(0)
    return "\n".join(lines).strip()


def question_text(content: Content, user_id: str, display_name: str) -> str:
    """What was asked: the bot's name, id or pill text taken out of the body."""
    body = question_body(content)
    for name in filter(None, [user_id, display_name]):
        body = re.sub(rf"(?<![\w@]){re.escape(name)}(?!\w)\s*[:,]?", " ", body,
                      flags=re.IGNORECASE)
    return " ".join(body.split())
