"""A German statute as a policy team would index it: "§ n Title" headings, numbered
paragraphs "(1)", "(2)" (Absätze) under them, the last section ending the document. As
Markdown, and as a multi-page PDF printed with a running header and page numbers."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from tests.regulation_pdf import printed_pdf

TITLE = "Gesetz über die Sicherheit vernetzter Produkte"
HEADER = "Bundesgesetzblatt Jahrgang 2026 Teil I Nr. 12"
FINE = ("(2) Die Ordnungswidrigkeit kann mit einer Geldbuße bis zu einer Million Euro "
        "geahndet werden.")

# (part, [(§ title, [Absätze])]); the last Absätze are short, as numbered notes under a
# page's text are: the document ends with them.
SECTIONS: list[tuple[str, list[tuple[str, list[str]]]]] = [
    ("Abschnitt 1 Allgemeine Vorschriften", [
        ("Zweck des Gesetzes", [
            "(1) Dieses Gesetz dient der Sicherheit vernetzter Produkte, die in Deutschland "
            "auf dem Markt bereitgestellt werden, und dem Schutz ihrer Nutzerinnen und Nutzer "
            "vor Angriffen über das Internet.",
            "(2) Es ergänzt die Verordnung (EU) 2024/2847 und regelt die Zuständigkeiten der "
            "Behörden des Bundes bei ihrer Durchführung.",
        ]),
        ("Begriffsbestimmungen", [
            "Im Sinne dieses Gesetzes sind 1. „Hersteller“ jede natürliche oder juristische "
            "Person, die ein vernetztes Produkt entwickelt oder entwickeln lässt und es unter "
            "ihrem Namen vermarktet, 2. „Schwachstelle“ eine Eigenschaft eines Produkts, "
            "durch deren Ausnutzung seine Sicherheit beeinträchtigt werden kann, 3. "
            "„Händler“ jede Person in der Lieferkette außer dem Hersteller und dem Einführer, "
            "die ein Produkt auf dem Markt bereitstellt.",
        ]),
        ("Anwendungsbereich", [
            "(1) Dieses Gesetz gilt für Hersteller, Einführer und Händler vernetzter Produkte "
            "mit Sitz im Geltungsbereich dieses Gesetzes.",
            "(2) Es gilt nicht für Produkte, die ausschließlich für Zwecke der nationalen "
            "Sicherheit oder der Verteidigung entwickelt werden.",
            "(3) Für Medizinprodukte gehen die Vorschriften des Medizinprodukterechts vor, "
            "soweit sie die Sicherheit der Software abschließend regeln.",
        ]),
    ]),
    ("Abschnitt 2 Pflichten der Wirtschaftsakteure", [
        ("Meldepflichten der Hersteller", [
            "(1) Hersteller haben eine aktiv ausgenutzte Schwachstelle unverzüglich, "
            "spätestens innerhalb von 24 Stunden nach Kenntnis, dem Bundesamt für Sicherheit "
            "in der Informationstechnik zu melden.",
            "(2) Die Meldung nach Absatz 1 enthält mindestens Angaben zum betroffenen Produkt, "
            "zur Art der Schwachstelle und zu den bereits ergriffenen Abhilfemaßnahmen.",
            "(3) Ein abschließender Bericht ist spätestens 14 Tage nach Bereitstellung einer "
            "Abhilfemaßnahme vorzulegen.",
        ]),
        ("Unterstützungszeitraum", [
            "(1) Hersteller stellen Sicherheitsaktualisierungen für die Dauer des "
            "Unterstützungszeitraums bereit, der mindestens fünf Jahre beträgt.",
            "(2) Ist die zu erwartende Nutzungsdauer eines Produkts kürzer als fünf Jahre, "
            "entspricht der Unterstützungszeitraum dieser Nutzungsdauer.",
        ]),
        ("Pflichten der Händler", [
            "(1) Händler prüfen vor der Bereitstellung eines Produkts, ob es die "
            "CE-Kennzeichnung trägt und ob der Hersteller die erforderlichen Unterlagen "
            "beigefügt hat.",
            "(2) Erfährt ein Händler von einer Schwachstelle, unterrichtet er den Hersteller "
            "unverzüglich.",
        ]),
    ]),
    ("Abschnitt 3 Aufsicht", [
        ("Zuständige Behörde", [
            "(1) Zuständige Marktüberwachungsbehörde ist das Bundesamt für Sicherheit in der "
            "Informationstechnik.",
            "(2) Das Bundesamt kann von Herstellern alle Unterlagen verlangen, die zur "
            "Beurteilung der Konformität eines Produkts erforderlich sind.",
            "(3) Es kann anordnen, dass ein Produkt vom Markt genommen oder zurückgerufen "
            "wird, wenn es ein erhebliches Cybersicherheitsrisiko darstellt.",
        ]),
        ("Bußgeldvorschriften", [
            "(1) Ordnungswidrig handelt, wer vorsätzlich oder fahrlässig entgegen § 3 "
            "Absatz 1 eine Meldung nicht oder nicht rechtzeitig macht.",
            FINE,
        ]),
    ]),
]


def absaetze() -> list[str]:
    return [text for _, sections in SECTIONS for _, paras in sections for text in paras]


def statute_markdown() -> str:
    lines = [f"# {TITLE}", ""]
    number = 0
    for part, sections in SECTIONS:
        lines += [f"## {part}", ""]
        for title, paras in sections:
            number += 1
            lines += [f"§ {number} {title}", ""]
            for text in paras:
                lines += [text, ""]
    return "\n".join(lines)


def statute_pdf() -> bytes:
    """The statute on several pages, each with the journal's running header and its
    page number ("Seite 2 von 4"), section headings on lines of their own."""
    styles = getSampleStyleSheet()

    def story() -> list[Flowable]:
        flowables: list[Flowable] = [Paragraph(TITLE, styles["Title"])]
        number = 0
        for part, sections in SECTIONS:
            flowables.append(Paragraph(part, styles["Heading2"]))
            for title, paras in sections:
                number += 1
                flowables.append(Paragraph(f"§ {number} {title}", styles["Heading3"]))
                flowables += [Paragraph(text, styles["BodyText"]) for text in paras]
        return flowables

    def furniture(canvas: Canvas, page: int, total: int) -> None:
        canvas.setFont("Helvetica", 8)
        canvas.drawString(60, A4[1] - 40, HEADER)
        canvas.drawCentredString(A4[0] / 2, 30, f"Seite {page} von {total}")

    # Short pages, so that sections run across page ends.
    return printed_pdf(story, furniture, TITLE, pagesize=(A4[0], A4[1] / 2.5))
