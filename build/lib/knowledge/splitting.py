"""From text to blocks (paragraphs with their heading), passages and sentences."""

from __future__ import annotations

import re
from collections.abc import Iterable

from knowledge.documents import Block, Passage, SourceDocument, passage_id

# Long paragraphs are cut near this size: e5 reads at most 512 tokens and a citation
# should stay readable.
MAX_PASSAGE_CHARS = 1200
TARGET_PART_CHARS = 800

# A line this short that does not end in a full stop reads as a heading in plain text.
MAX_HEADING_CHARS = 100

_ABBREVIATIONS = {
    "z.b", "d.h", "u.a", "bzw", "ca", "vgl", "usw", "etc", "e.g", "i.e", "vs", "dr",
    "mr", "mrs", "ms", "prof", "nr", "s", "st", "abs", "art", "ggf", "inkl", "evtl",
    "u.s", "no", "fig", "jr", "sr", "bspw", "sog", "z", "d", "u",
}
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”“»«)\]]*\s+(?=[\"„“»«(\[]?[A-ZÄÖÜ0-9])")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_WHITESPACE = re.compile(r"\s+")


def clean_inline(text: str) -> str:
    """Drop markdown emphasis markers and fold white space."""
    return _WHITESPACE.sub(" ", _EMPHASIS.sub(r"\2", text)).strip()


def split_sentences(text: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].strip()
        last_word = candidate.rsplit(" ", 1)[-1].strip("([\"„“»«").rstrip(".").lower()
        if last_word in _ABBREVIATIONS or re.fullmatch(r"\d{1,2}", last_word):
            continue  # "z.B. Medizintechnik", "am 3. Mai": not a sentence end
        if candidate:
            pieces.append(candidate)
        start = match.end()
    rest = text[start:].strip()
    if rest:
        pieces.append(rest)
    return pieces


def is_plain_heading(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= MAX_HEADING_CHARS
        and not stripped.endswith((".", ",", ";", ":"))
        and len(stripped.split()) <= 14
    )


def plain_text_blocks(text: str) -> tuple[str, list[Block]]:
    """Paragraphs of a plain-text document and its title.

    The first line is the title when it reads as a heading; later heading-like lines
    start sections. Paragraphs are separated by blank lines; a file without blank lines
    holds one paragraph per line, and hard-wrapped short lines are joined.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title = ""
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and is_plain_heading(lines[0]):
        title = clean_inline(lines.pop(0))
    groups: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            groups[-1].append(line.strip())
        elif groups[-1]:
            groups.append([])
    section = title
    blocks: list[Block] = []
    for group in groups:
        for paragraph in _paragraphs_of_group(group):
            if is_plain_heading(paragraph):
                section = clean_inline(paragraph)
            else:
                blocks.append(Block(text=clean_inline(paragraph), section=section))
    return title, blocks


def _paragraphs_of_group(group: list[str]) -> Iterable[str]:
    if not group:
        return []
    # Lines longer than any terminal wraps at mean one paragraph per line (headings
    # between them); a group of only short lines is one hard-wrapped paragraph.
    if len(group) == 1 or max(len(line) for line in group) > 2 * 80:
        return group
    return [" ".join(group)]


def markdown_blocks(text: str) -> tuple[str, list[Block]]:
    title = ""
    section = ""
    blocks: list[Block] = []
    paragraph: list[str] = []
    in_fence = False

    def flush() -> None:
        if paragraph:
            blocks.append(Block(text=clean_inline(" ".join(paragraph)), section=section))
            paragraph.clear()

    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if line.startswith("```"):
            in_fence = not in_fence
            flush()
            continue
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*$", line) if not in_fence else None
        if heading:
            flush()
            name = clean_inline(heading.group(2))
            if len(heading.group(1)) == 1 and not title:
                title = name
            section = name
        elif not line:
            flush()
        elif re.match(r"^([-*+]|\d+[.)])\s+", line):
            flush()
            paragraph.append(line)
            flush()
        else:
            paragraph.append(line)
    flush()
    return title, [b for b in blocks if b.text]


def split_long(text: str) -> list[str]:
    """Cut a paragraph longer than MAX_PASSAGE_CHARS at sentence boundaries."""
    if len(text) <= MAX_PASSAGE_CHARS:
        return [text]
    parts: list[str] = []
    current = ""
    for whole in split_sentences(text):
        sentence = whole
        while len(sentence) > MAX_PASSAGE_CHARS:  # a run-on "sentence": cut at a space
            cut = sentence.rfind(" ", 0, TARGET_PART_CHARS)
            cut = cut if cut > 0 else TARGET_PART_CHARS
            if current:
                parts.append(current)
                current = ""
            parts.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > TARGET_PART_CHARS:
            parts.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        parts.append(current)
    return parts


def passages_of(document: SourceDocument) -> list[Passage]:
    version = document.version
    passages: list[Passage] = []
    for number, block in enumerate(document.blocks, start=1):
        for part, text in enumerate(split_long(block.text), start=1):
            passages.append(
                Passage(
                    id=passage_id(document.source, version, number, part),
                    source=document.source,
                    title=document.title,
                    section=block.section,
                    paragraph=number,
                    part=part,
                    text=text,
                    url=document.url,
                    language=document.language,
                    doc_version=version,
                    sentences=tuple(split_sentences(text)),
                )
            )
    return passages
