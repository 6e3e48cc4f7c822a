"""Matrix message content out: answers and command replies as HTML notices.

Notices mention nobody (`m.mentions: {}`): a quoted passage naming a person must not ping
them. Size is capped in encoded bytes, not characters (12k CJK characters once exceeded
the 64 KiB event limit), with room for encryption: Megolm sends the content base64-encoded
(4/3 of its size) inside an envelope of about 1 KB.
"""

from __future__ import annotations

import html
import json
from typing import Any

from bot.answering.answers import Answer, Citation
from bot.answering.checking import CheckResult
from bot.answering.comparing import ComparisonAnswer
from bot.serving.render import (
    answer_text,
    check_text,
    comparison_text,
    cut,
    locator,
    marked_passage,
    translation_line,
)

# Characters of the answer text itself before it is cut with a note (a readable length).
MAX_PART_CHARS = 24_000
# Content as JSON, in bytes: (65,536 - 2,048 of envelope) * 3/4 for base64, rounded down.
MAX_CONTENT_BYTES = 40_000
CUT_NOTE = "The answer was cut to fit a Matrix message."
HTML_FORMAT = "org.matrix.custom.html"

Content = dict[str, Any]


def html_notice(body: str, parts: list[str]) -> Content:
    """An m.notice with a plain `body` and its HTML, fitted to the size limit; it mentions
    no one."""
    return fitted({"msgtype": "m.notice", "body": body, "format": HTML_FORMAT,
                   "formatted_body": "\n".join(parts), "m.mentions": {}})


def remark(text: str) -> str:
    """A note beside the content (why there is no verdict, a fallback), in italics."""
    return f"<p><em>{html.escape(text)}</em></p>"


def citation_html(citation: Citation) -> str:
    place = html.escape(locator(citation))
    url = citation.url if citation.url.startswith(("http://", "https://")) else ""
    heading = f'<a href="{html.escape(url)}">{place}</a>' if url else place
    passage = marked_passage(citation, lambda quote: f"<strong>{quote}</strong>", html.escape,
                             limit=4000)
    translation = (f"<br><em>{html.escape(cut(translation_line(citation), 2000))}</em>"
                   if citation.translation else "")
    return (f"<p><strong>[{citation.n}]</strong> {heading}</p>\n"
            f"<blockquote>{passage}{translation}</blockquote>")


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
        paragraphs.append(remark(answer.note))
    paragraphs.extend(citation_html(c) for c in answer.citations)
    return html_notice(answer_text(answer), paragraphs)


def notice_content(text: str) -> Content:
    """A command's reply; line layout (sources, refresh summary) kept in <pre>."""
    if "\n" not in text:
        return fitted({"msgtype": "m.notice", "body": text, "m.mentions": {}})
    return html_notice(text, [f"<pre>{html.escape(text)}</pre>"])


# Positions shown in one chat message; the others are named.
MAX_POSITIONS = 5


def comparison_content(comparison: ComparisonAnswer) -> Content:
    """An m.notice: an HTML list of the documents that speak, each with its citations."""
    shown = comparison.positions[:MAX_POSITIONS]
    topic = html.escape(comparison.topic)
    parts = [f"<p>What the sources say about <em>{topic}</em>:</p>" if shown else
             f"<p>None of the sources says anything about <em>{topic}</em>.</p>"]
    if shown:
        items = []
        for stance in shown:
            summary = f"<p>{html.escape(stance.summary)}</p>" if stance.summary else ""
            cited = "\n".join(citation_html(c) for c in stance.citations)
            items.append(f"<li><strong>{html.escape(stance.title)}</strong>{summary}\n{cited}"
                         "</li>")
        parts.append("<ul>\n" + "\n".join(items) + "\n</ul>")
    rest = comparison.positions[MAX_POSITIONS:]
    if rest:
        parts.append(f"<p>Also: {html.escape('; '.join(s.title for s in rest))}</p>")
    if comparison.agreement:
        parts.append(f"<p>{html.escape(comparison.agreement)}</p>")
    if comparison.silent and shown:
        silent = "; ".join(t for _, t in comparison.silent)
        parts.append(remark(f"Silent: {silent}"))
    return html_notice(comparison_text(comparison, most=MAX_POSITIONS), parts)


def check_content(result: CheckResult) -> Content:
    """An m.notice: each claim, then its closest passages."""
    parts = ([remark(result.note)] if result.note else []) \
        if result.claims else ["<p>I found no statement to check in that text.</p>"]
    for number, claim in enumerate(result.claims, start=1):
        verdict = f" — <strong>{claim.verdict}</strong>" if claim.verdict else ""
        parts.append(f"<p><strong>Claim {number}:</strong> {html.escape(claim.claim)}"
                     f"{verdict}</p>")
        if claim.note:
            parts.append(remark(claim.note))
        parts.extend(citation_html(c) for c in claim.citations)
    return html_notice(check_text(result), parts)


def encoded_size(content: Content) -> int:
    return len(json.dumps(content, ensure_ascii=False).encode("utf-8"))


def _cut_bytes(text: str, max_bytes: int) -> str:
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    return encoded[: max(0, max_bytes - 3)].decode("utf-8", errors="ignore").rstrip() + "…"


def fitted(content: Content) -> Content:
    """The content, its longest text field cut until the whole fits MAX_CONTENT_BYTES."""
    for _ in range(6):
        excess = encoded_size(content) - MAX_CONTENT_BYTES
        if excess <= 0:
            break
        field = max((k for k in ("body", "formatted_body") if k in content),
                    key=lambda k: len(str(content[k]).encode("utf-8")))
        text = str(content[field])
        # JSON escaping makes a byte cut worth a little more than its size: cut a margin.
        content = {**content, field: _cut_bytes(text, len(text.encode("utf-8")) - excess
                                                - excess // 8 - 16)}
    return content
