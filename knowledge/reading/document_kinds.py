"""What kind of document some bytes are, told by their content first and their name
second: a file someone drops into a chat may be named anything. Archives, programs and
binary data of no kind the bot reads are refused by name, in words a person understands."""

from __future__ import annotations

import io
import zipfile

from knowledge.core.errors import SourceError

# The kinds read (the suffix a stored copy gets), by the suffixes that name them.
KINDS = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".md": "md",
         ".markdown": "md", ".txt": "txt"}
READ = "PDF, Word (.docx), HTML, Markdown or plain text"

_PROGRAMS = (b"\x7fELF", b"MZ", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe",
             b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf")
_ARCHIVES = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"Rar!", b"\x28\xb5\x2f\xfd")


class NotADocument(SourceError):
    """Bytes of no kind the bot reads (a zip, a program, an image)."""


def kind_of(data: bytes, name: str = "", content_type: str = "") -> str:
    """The kind ("pdf", "docx", "html", "md", "txt") of a document's bytes."""
    head = data[:8]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if _is_word_file(data):
            return "docx"
        raise NotADocument(f"a zip archive, not a document (I read {READ})")
    if head.startswith(_PROGRAMS):
        raise NotADocument(f"a program, not a document (I read {READ})")
    if head.startswith(_ARCHIVES):
        raise NotADocument(f"a compressed archive, not a document (I read {READ})")
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    named = KINDS.get(suffix, "")
    if named in {"pdf", "docx"}:
        raise NotADocument(f"named {suffix} but not a {named.upper()} file inside")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotADocument(f"binary data, not a document (I read {READ})")
    if named:
        return named
    if suffix and suffix not in {".htm", ".html"}:
        raise NotADocument(f"not a document type I read ({suffix}; I read {READ})")
    lowered = content_type.lower()
    if "html" in lowered or data.lstrip()[:15].lower().startswith((b"<!doctype html",
                                                                     b"<html")):
        return "html"
    if "markdown" in lowered:
        return "md"
    return "txt"


def _is_word_file(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
