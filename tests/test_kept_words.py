"""Ingestion keeps the text: front matter is metadata, a short line said several times in a
document without pages is text, and the refresh reports per document the words read and
the words its passages keep."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from knowledge.core.documents import SourceDocument
from knowledge.passages.kept_words import kept_words
from knowledge.passages.splitting import document_of
from knowledge.reading.formats import read_bytes
from tests.conftest import REPO, policybot

# A statute as bundestag/gesetze publishes it: YAML front matter, then the law. Its
# paragraphs wrap where the converter wrapped them, so a few short lines stand alone,
# some several times ("der Verordnung (EU)").
STATUTE = """---
Title: Gesetz über die Sicherheit von Beispielsystemen
jurabk: BspSG
layout: default
origslug: bspsg
slug: bspsg

---

# Gesetz über die Sicherheit von Beispielsystemen (BspSG)

## § 1 Anwendungsbereich

(1) Dieses Gesetz gilt für Betreiber, die Pflichten nach Artikel 3
der Verordnung (EU)
2016/679 erfüllen.

(2) Betreiber melden Störungen unverzüglich dem Bundesamt.

## § 2 Begriffsbestimmungen

(1) Störungen im Sinne dieses Gesetzes sind Ausfälle nach Artikel 4
der Verordnung (EU)
2016/679 und vergleichbare Ereignisse.

(2) Meldungen nach Artikel 33
der Verordnung (EU)
2016/679 bleiben unberührt.

## § 3 Meldepflichten

(1) Eine Meldung nach Artikel 34
der Verordnung (EU)
2016/679 ersetzt die Meldung nach § 1 nicht.

(2) Die Pflichten nach Artikel 35
der Verordnung (EU)
2016/679 gelten entsprechend.
"""


def statute(text: str = STATUTE) -> tuple[SourceDocument, int]:
    read = read_bytes(text.encode(), "md")
    document = document_of("bspsg.md", read, "bspsg")
    return document, kept_words(read, document).lost


def test_front_matter_is_neither_text_nor_title() -> None:
    document, _ = statute()
    assert document.title == "Gesetz über die Sicherheit von Beispielsystemen (BspSG)"
    text = " ".join(f"{b.section} {b.text}" for b in document.blocks)
    assert "jurabk" not in text and "layout" not in text and "origslug" not in text
    # Where the text names no title, the front matter's names the document.
    untitled = STATUTE.replace("# Gesetz über die Sicherheit von Beispielsystemen (BspSG)", "")
    assert statute(untitled)[0].title == "Gesetz über die Sicherheit von Beispielsystemen"


def test_a_document_without_pages_loses_no_body_words() -> None:
    document, lost = statute()
    assert lost == 0
    assert sum(b.text.count("der Verordnung (EU) 2016/679") for b in document.blocks) == 5


def test_a_converters_page_marks_still_show_a_running_header() -> None:
    pages = [f"Beispielbericht 2024\n\nText der Seite {n}, ein ganzer Satz über das Thema "
             f"{n}.\n\nSeite {n} von 6" for n in range(1, 7)]
    read = read_bytes("\n\n".join(pages).encode(), "txt")
    document = document_of("bericht.txt", read, "bericht")
    text = " ".join(b.text for b in document.blocks)
    assert "Beispielbericht 2024" not in text and "Text der Seite 6" in text


@pytest.mark.e2e
def test_refresh_json_reports_the_words_read_and_kept(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "bspsg.md").write_text(STATUTE, "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYBOT_")}
    env.update(POLICYBOT_DATA_DIR=str(tmp_path / "data"), POLICYBOT_SOURCES=str(sources),
               POLICYBOT_OFFLINE="true", POLICYBOT_DICTIONARY="off", PYTHONPATH=str(REPO))
    result = policybot(["refresh", "--json"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [words] = json.loads(result.stdout)["words"]
    assert words["source"] == "bspsg.md" and words["read"] > 80
    assert words["kept"] == words["read"]
