"""A passage written in another language than its document is searched as that language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knowledge.index.embedders import E5Embedder
from knowledge.index.state import DocumentEntry, KnowledgeState
from knowledge.text.languages import passage_language
from tests.conftest import make_kb

# A German manual whose translation left one paragraph in English, as Debian's German
# Developer's Reference does.
MANUAL = """# Handbuch für Paketbetreuer

## Urlaub

Wenn Sie in den Urlaub fahren, sollten Sie die anderen Entwickler darüber informieren,
damit diese bei Problemen mit Ihren Paketen die erforderlichen Maßnahmen ergreifen können.

Vergessen Sie nicht, die Urlaubskennzeichnung zu entfernen, wenn Sie wieder zurück sind,
und prüfen Sie, ob in der Zwischenzeit Fehlerberichte zu Ihren Paketen eingegangen sind.

## Schweregrade

The severity of the bug report must be set to wishlist when you ask for a new package,
and it should be set to normal when the package is removed from the archive.

## Sicherheit

Wenn ein Sicherheitsproblem gemeldet wird, sollten Sie mit dem Sicherheits-Team
zusammenarbeiten und die Behebung nicht eigenmächtig veröffentlichen.
"""


def test_a_passage_takes_another_language_only_on_clear_evidence() -> None:
    english = "The severity of the bug report must be set to wishlist when you ask for it."
    assert passage_language(english, "de") == "en"
    # An English phrase in a German sentence, and a paragraph too short to tell, stay.
    assert passage_language("Der Hype um Open Source ist verständlich, aber der Markt "
                            "entscheidet über die Cloud.", "de") == "de"
    assert passage_language("Open source wins.", "de") == "de"
    assert passage_language(english, "en") == "en"


def test_a_document_entry_of_an_earlier_version_reads_with_no_passage_languages() -> None:
    stored: dict[str, Any] = {"source": "a.md", "title": "A", "url": "", "language": "de",
                              "version": "v", "passages": 3, "refreshed_at": 0.0}
    state = KnowledgeState.from_json({"documents": {"a.md": stored}})
    assert state.documents["a.md"] == DocumentEntry(**stored)
    assert state.documents["a.md"].languages == ("de",)
    again = KnowledgeState.from_json(
        {"documents": {"a.md": {**stored, "passage_languages": ["en"]}}})
    assert again.documents["a.md"].languages == ("de", "en")


def test_an_untranslated_paragraph_is_stored_and_searched_as_english(
        tmp_path: Path, e5: E5Embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "handbuch.md").write_text(MANUAL, encoding="utf-8")
    kb = make_kb(tmp_path / "data", [sources], e5)
    kb.refresher.refresh()
    entry = kb.state_file.current().documents["handbuch.md"]
    assert (entry.language, entry.passage_languages) == ("de", ("en",))
    assert kb.retriever.languages() == ["de", "en"]
    # No document is English, yet the English paragraph is found: its language is searched.
    hits = kb.retriever.search("Which severity must a bug report for a new package have?",
                               per_language=True, judged=False).hits
    english = [hit for hit in hits if hit.language == "en"]
    assert english and "wishlist" in english[0].text
