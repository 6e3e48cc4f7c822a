"""From a source's lines to passages: normalize, read the structure, pack, split sentences."""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.core.documents import Block, Passage, SourceDocument, passage_id
from knowledge.core.errors import EmptySource
from knowledge.passages.heading_lines import structural_heading
from knowledge.passages.normalizing import normalized
from knowledge.passages.structure import blocks_of, is_plain_heading, units_of
from knowledge.reading.formats import ReadText, read_bytes
from knowledge.reading.lines import Line, clean_inline
from knowledge.text.languages import code_of, detect, passage_language
from knowledge.text.sentences import split_sentences

# A plain-text document's first paragraph may give its address after its name ("Apache
# License Version 2.0, January 2004 http://www.apache.org/licenses/"): no part of the
# title a citation shows.
_ADDRESS = re.compile(r"\s*\b(?:https?://|www\.)\S+")


def document_blocks(lines: list[Line], title: str = "") -> tuple[str, list[Block]]:
    """The title (given, the first line where it also runs over the pages, the first
    heading, or a heading-like first line of plain text) and passage-sized blocks."""
    running, found = normalized(lines)
    title = title or running
    first = found[0] if found else None
    if (not title and first is not None and first.level == 0 and is_plain_heading(first.text)
            and structural_heading(first.text) is None):
        title, found = _ADDRESS.sub("", first.text).strip(" ,;–-"), found[1:]
    title, units = units_of(found, clean_inline(title))
    return title, blocks_of([replace(unit, text=clean_inline(unit.text)) for unit in units])


def document_of(source: str, text: ReadText, fallback_title: str, given_title: str = "",
                url: str = "", language: str = "") -> SourceDocument:
    """A source's text as a document: its blocks, its title (given, else the one its format
    or text names, else its metadata's, else the fallback) and its language (given, else
    detected); EmptySource when it holds no text."""
    found, blocks = document_blocks(text.lines, text.title)
    if not blocks:
        raise EmptySource("no text found")
    return SourceDocument(
        source=source,
        title=given_title or found or text.named or fallback_title,
        language=code_of(language) or detect(" ".join(b.text for b in blocks[:40])),
        url=url,
        blocks=tuple(blocks),
    )


def parse_bytes(data: bytes, kind: str, fallback_title: str) -> tuple[str, list[Block]]:
    """Title and passage-sized blocks of a document's bytes; kind is a suffix without dot."""
    text = read_bytes(data, kind)
    title, blocks = document_blocks(text.lines, text.title)
    return title or text.named or fallback_title, blocks


def passages_of(document: SourceDocument) -> list[Passage]:
    version = document.version
    return [
        Passage(
            id=passage_id(document.source, version, number, 1),
            source=document.source,
            title=document.title,
            section=block.section,
            paragraph=number,
            part=1,
            text=block.text,
            url=document.url,
            language=passage_language(block.text, document.language),
            doc_version=version,
            sentences=tuple(split_sentences(block.text)),
        )
        for number, block in enumerate(document.blocks, start=1)
    ]
