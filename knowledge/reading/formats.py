"""A document's bytes read as its format lays them out: a title (where the format names
one) and lines. No cleaning, no structure: that is the passages floor's work."""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.core.errors import SourceError
from knowledge.reading.html_text import html_lines
from knowledge.reading.lines import (
    Line,
    clean_inline,
    front_matter,
    markdown_lines,
    page_lines,
    text_lines,
)
from knowledge.reading.pdf_text import pdf_pages
from knowledge.reading.word_files import docx_lines


@dataclass(frozen=True)
class ReadText:
    """A document's text as its format gives it."""

    lines: list[Line]
    title: str = ""  # the title the format gives (a PDF's, a web page's)
    # A name only the file's metadata gives (Markdown front matter's title): the document's
    # title where neither its format nor its text names one.
    named: str = ""


def read_bytes(data: bytes, kind: str) -> ReadText:
    """The text of a document's bytes; kind is a suffix without dot."""
    if kind in {"pdf", "docx"}:
        title, lines = pdf_lines(data) if kind == "pdf" else docx_lines(data)
        return ReadText(lines, title)
    text = _decode(data)
    if kind in {"html", "htm"}:
        title, lines = html_lines(text)
        return ReadText(lines, title)
    if kind in {"md", "markdown"}:
        named, body = front_matter(text)
        return ReadText(markdown_lines(body), named=named)
    return ReadText(text_lines(text))


# Text in which more than this share of characters are controls or undecodable is not text.
MAX_GARBAGE_SHARE = 0.02
_GARBAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _decode(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise SourceError("not valid UTF-16 text") from error
    if b"\x00" in data[:4096]:
        raise SourceError("binary data where text was expected")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:100_000]
    if sample and len(_GARBAGE.findall(sample)) > MAX_GARBAGE_SHARE * len(sample):
        raise SourceError("binary data where text was expected")
    return text


def pdf_lines(data: bytes) -> tuple[str, list[Line]]:
    title, pages = pdf_pages(data)  # in a confined worker process (knowledge/reading/pdf_text.py)
    if not any(page.strip() for page in pages):
        raise SourceError("the PDF has no extractable text")
    return clean_inline(title), page_lines(pages)
