"""Matrix message content out: answers and command replies as HTML notices."""

from __future__ import annotations

import html
from typing import Any

from bot.answering.answers import Answer, Citation
from bot.serving.render import answer_text, cut, locator, marked_passage

# Homeservers refuse events over 64 KiB; body and HTML together stay well below that.
MAX_PART_CHARS = 24_000
CUT_NOTE = "The answer was cut to fit a Matrix message."
HTML_FORMAT = "org.matrix.custom.html"

Content = dict[str, Any]


def citation_html(citation: Citation) -> str:
    place = html.escape(locator(citation))
    url = citation.url if citation.url.startswith(("http://", "https://")) else ""
    heading = f'<a href="{html.escape(url)}">{place}</a>' if url else place
    passage = marked_passage(citation, lambda quote: f"<strong>{quote}</strong>", html.escape,
                             limit=4000)
    return f"<p><strong>[{citation.n}]</strong> {heading}</p>\n<blockquote>{passage}</blockquote>"


def answer_content(answer: Answer) -> Content:
    """An m.notice: readable plain `body`, and HTML with the citations laid out."""
    text = answer.text
    if len(text) > MAX_PART_CHARS // 2:
        text = cut(text, MAX_PART_CHARS // 2)
        answer = Answer(answer.question, text, answer.grounded, answer.mode, answer.citations,
                        answer.note or CUT_NOTE)
    paragraphs = [f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>"
                  for p in text.split("\n\n") if p.strip()]
    if answer.note:
        paragraphs.append(f"<p><em>{html.escape(answer.note)}</em></p>")
    paragraphs.extend(citation_html(c) for c in answer.citations)
    return {"msgtype": "m.notice", "body": cut(answer_text(answer), MAX_PART_CHARS),
            "format": HTML_FORMAT,
            "formatted_body": cut("\n".join(paragraphs), 2 * MAX_PART_CHARS)}


def notice_content(text: str) -> Content:
    """A command's reply; line layout (sources, refresh summary) kept in <pre>."""
    body = cut(text, MAX_PART_CHARS)
    if "\n" not in text:
        return {"msgtype": "m.notice", "body": body}
    return {"msgtype": "m.notice", "body": body, "format": HTML_FORMAT,
            "formatted_body": f"<pre>{html.escape(body)}</pre>"}
