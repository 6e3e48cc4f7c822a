"""Word documents (.docx) as lines: headings by their paragraph style, tables by row.

A .docx is a zip of XML. It is read with python-docx once its unpacked size is known to be
bounded: a few kilobytes can unpack to gigabytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from knowledge.core.errors import SourceError
from knowledge.reading.lines import BLANK, Line, clean_inline, plain_characters

# A 300-page report unpacks to some 10 MB of XML, and its images to more.
MAX_UNPACKED_BYTES = 200_000_000
# XML is what is parsed (into a tree some ten times its size).
MAX_XML_BYTES = 50_000_000
# "Heading 2" in English Word, "Überschrift 2" in German; "Title" is the document's title.
_HEADING_STYLE = re.compile(r"(?:heading|überschrift|titre|título)\s*([1-6])", re.IGNORECASE)
_TITLE_STYLES = {"title", "titel", "titre", "título"}


def docx_lines(data: bytes) -> tuple[str, list[Line]]:
    """The document's title (its properties, else its "Title" paragraph) and its lines."""
    from docx import Document  # noqa: PLC0415  (python-docx is only needed for .docx)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
        unpacked = sum(info.file_size for info in parts)
        xml = sum(info.file_size for info in parts if info.filename.endswith(".xml"))
        if unpacked > MAX_UNPACKED_BYTES or xml > MAX_XML_BYTES:
            raise SourceError(f"the Word file unpacks to {unpacked // 1_000_000:,} MB "
                              f"({xml // 1_000_000:,} MB of text), more than "
                              f"{MAX_UNPACKED_BYTES // 1_000_000} MB "
                              f"({MAX_XML_BYTES // 1_000_000} MB of text)")
        document = Document(io.BytesIO(data))
        title = clean_inline(document.core_properties.title or "")
        lines: list[Line] = []
        for text, style in _blocks(document):
            content = clean_inline(plain_characters(text))
            if not content:
                continue
            heading = _HEADING_STYLE.fullmatch(style.strip())
            level = int(heading.group(1)) if heading else 0
            if style.strip().lower() in _TITLE_STYLES:
                title = title or content
                level = 1
            lines += [Line(content, level), BLANK]
    except SourceError:
        raise
    except Exception as error:
        # A damaged file fails inside zipfile, lxml or python-docx in many ways.
        raise SourceError(f"not a readable Word file ({type(error).__name__})") from error
    if not lines:
        raise SourceError("the Word file has no text")
    return title, lines


def _blocks(document: Any) -> Iterator[tuple[str, str]]:
    """(text, style name) of each paragraph and table row, in the order they stand."""
    from docx.table import Table  # noqa: PLC0415
    from docx.text.paragraph import Paragraph  # noqa: PLC0415

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item.text, item.style.name if item.style is not None else ""
        elif isinstance(item, Table):
            for row in item.rows:
                # A row is one line: "(a)" and its text, or a table's record. A merged
                # cell is listed once per column it spans.
                cells = dict.fromkeys(cell.text.strip() for cell in row.cells)
                yield " ".join(cell for cell in cells if cell), ""
