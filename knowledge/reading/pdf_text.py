"""A PDF's text, read by PDFium in a worker process with bounded memory and time.

pypdf, the reader before, lost the spaces of justified lines in PDFs that place each word
instead of printing a space (Sphinx and other TeX output): one line in eight of Debian's
Developer's Reference came out as "IndiesemKapitelfindenSieeinesehrkurzeRoadmap".
PDFium (pypdfium2, the engine of Chrome's viewer) reads the words apart, and a whole
117-page manual in 0.2 s. It is native code reading untrusted files, and inflates what a
file asks it to (a 50 MB download may unpack to gigabytes), so it runs in a process of
its own: a crash, an allocation over MAX_MEMORY_MB or a read over MAX_SECONDS ends that
process, and the source is a named failure; the refresh goes on with the others.
Starting the worker costs about 70 ms a PDF.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from knowledge.core.errors import SourceError

MAX_MEMORY_MB = 1024
MAX_SECONDS = 120
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def pdf_pages(data: bytes, max_memory_mb: int = MAX_MEMORY_MB,
              max_seconds: int = MAX_SECONDS) -> tuple[str, list[str]]:
    """The PDF's title (from its metadata, "" if none) and each page's text."""
    environment = {**os.environ,
                   "PYTHONPATH": os.pathsep.join(filter(None, [
                       str(_PACKAGE_ROOT), os.environ.get("PYTHONPATH", "")]))}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "knowledge.reading.pdf_text", str(max_memory_mb),
             str(max_seconds)],
            input=data, capture_output=True, timeout=max_seconds, check=False,
            env=environment)
    except subprocess.TimeoutExpired as error:
        raise SourceError(f"not a readable PDF (reading it took over {max_seconds} s)") from error
    if done.returncode != 0:
        raise SourceError(f"not a readable PDF ({_why(done, max_memory_mb)})")
    result = json.loads(done.stdout)
    return str(result["title"]), [str(page) for page in result["pages"]]


def _why(done: subprocess.CompletedProcess[bytes], max_memory_mb: int) -> str:
    if done.returncode < 0:
        # An allocation refused at the bound aborts PDFium (SIGABRT).
        return (f"its reader stopped with {signal.Signals(-done.returncode).name}, "
                f"over {max_memory_mb} MB or broken")
    # The worker's own last line names what went wrong ("PdfiumError", "MemoryError").
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else f"its reader exited with {done.returncode}"


def page_text(text: str) -> str:
    """A page's text as PDFium gives it, with the lines a reader sees. PDFium joins a word
    hyphenated at a line's end and marks the break with U+FFFE ("wan\ufffedern",
    "Debian\ufffeMaschinen"): the line is broken there again, hyphen kept, and the
    normalizer joins the word as the document itself writes it (normalizing.join_lines)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-\n")


def _read(max_memory_mb: int, max_seconds: int) -> None:
    """The worker: a PDF on stdin, {"title", "pages"} as JSON on stdout."""
    import resource  # noqa: PLC0415  (POSIX only, as the bounds are)

    limit = max_memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (max_seconds, max_seconds))
    data = sys.stdin.buffer.read()
    try:
        import pypdfium2 as pdfium  # noqa: PLC0415  (only the worker loads PDFium)

        document = pdfium.PdfDocument(data)
        title = str(document.get_metadata_dict().get("Title", "") or "")
        pages = [page_text(page.get_textpage().get_text_range()) for page in document]
    except Exception as error:  # any failure of an untrusted file is a named one
        print(type(error).__name__, file=sys.stderr)
        sys.exit(2)
    json.dump({"title": title, "pages": pages}, sys.stdout)


if __name__ == "__main__":
    _read(int(sys.argv[1]), int(sys.argv[2]))
