"""A real multi-page PDF of a regulation, printed the way the Official Journal prints it:
running header, ELI footer with page count, article headings on lines of their own,
paragraphs flowing across pages. Made with reportlab from the dev corpus' text."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

# Excerpts of the converted acts, kept in the repository (see its README.md).
CORPUS = Path(__file__).resolve().parent / "data" / "corpora" / "eu-regulations"
CRA = CORPUS / "eu-cyber-resilience-act-2024-2847.md"
DORA = CORPUS / "eu-dora-2022-2554.md"
HEADER = "OJ L, 20.11.2024"
ELI = "ELI: http://data.europa.eu/eli/reg/2024/2847/oj"
_FURNITURE = re.compile(r"(?:\d+/81 )?ELI: \S+(?: \d+/81)?|EN|OJ L, 20\.11\.2024")


def article_paragraphs(first: int, last: int) -> list[tuple[str, str]]:
    """(style, text) of Articles first..last of the Cyber Resilience Act, furniture out."""
    text = CRA.read_text("utf-8")
    body = text[text.index(f"## Article {first}:"):text.index(f"## Article {last + 1}:")]
    lines = [line.strip() for line in body.splitlines()]
    kept = [line for line in lines if not _FURNITURE.fullmatch(line)]
    paragraphs: list[tuple[str, str]] = []
    for raw in re.split(r"\n\s*\n|\n(?=- \()|\n(?=## )", "\n".join(kept)):
        chunk = " ".join(raw.split())
        if not chunk:
            continue
        heading = re.fullmatch(r"## (Article \d+): (.*?)(?: (Products.*|[A-Z].*:))?", chunk)
        if heading:
            paragraphs += [("Heading3", heading.group(1)), ("Heading4", heading.group(2))]
            if heading.group(3):
                paragraphs.append(("BodyText", heading.group(3)))
            continue
        body = re.sub(r"^\*\*(\d+)\.\*\*", r"\1.", chunk).replace("- (", "(", 1)
        paragraphs.append(("BodyText", body.replace("**", "")))
    return paragraphs


# Draws a page's running header and footer: canvas, page number, page count.
Furniture = Callable[[Canvas, int, int], None]


def printed_pdf(story: Callable[[], list[Flowable]], furniture: Furniture, title: str,
                pagesize: tuple[float, float] = A4) -> bytes:
    """A PDF whose every page carries its furniture, which knows the page count: laid out
    twice, the first time to count the pages (reportlab consumes its story: a fresh one
    for each pass)."""

    def build(total: int) -> tuple[bytes, int]:
        pages = 0

        def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
            nonlocal pages
            pages = doc.page
            furniture(canvas, doc.page, total)

        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=pagesize, title=title).build(
            story(), onFirstPage=draw, onLaterPages=draw)
        return out.getvalue(), pages

    _, total = build(99)
    return build(total)[0]


def regulation_pdf(first: int = 14, last: int = 17) -> bytes:
    styles = getSampleStyleSheet()
    paragraphs = article_paragraphs(first, last)

    def story() -> list[Flowable]:
        return [Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), styles[style])
                for style, text in paragraphs]

    def furniture(canvas: Canvas, page: int, total: int) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(60, A4[1] - 40, "EN")
        canvas.drawRightString(A4[0] - 60, A4[1] - 40, HEADER)
        footer = f"{ELI} {page}/{total}" if page % 2 else f"{page}/{total} {ELI}"
        canvas.drawString(60, 30, footer)

    return printed_pdf(story, furniture, f"Cyber Resilience Act, Articles {first} to {last}")
