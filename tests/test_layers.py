"""The house's floors: knowledge < answering < serving < adapters < cli, and inside
knowledge: core < text < reading < passages < sources < index < search < assembly, under
its front door (knowledge/__init__.py).

A module may import from its own floor and the floors below, never from above: answering
knows nothing of chat platforms, adapters nothing of the command line, reading nothing of
passages. bot/errors.py is the bot's ground floor (its error root), importable everywhere
in bot/. bot/ enters knowledge/ by its front door only; sources read documents, and never
cut them into passages (the refresh does: reading, then passages).
"""

from __future__ import annotations

import ast
import importlib

import pytest

import knowledge
from tests.conftest import REPO

KNOWLEDGE_FLOORS = ["knowledge.core", "knowledge.text", "knowledge.reading",
                    "knowledge.passages", "knowledge.sources", "knowledge.index",
                    "knowledge.search", "knowledge.assembly"]
FLOORS = [*KNOWLEDGE_FLOORS, "knowledge", "bot.errors", "bot.answering", "bot.serving",
          "bot.adapters", "bot.cli", "bot.__main__"]
# Side by side on the floors, but one must not use the other.
APART = [("knowledge.sources", "knowledge.passages")]


def floor_of(module: str) -> int | None:
    for height, prefix in enumerate(FLOORS):
        if module == prefix or module.startswith(prefix + "."):
            return height
    return None


def imports_of(source: str, module: str) -> list[str]:
    package = module.rsplit(".", 1)[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            found += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return found


def violations(modules: dict[str, str]) -> list[str]:
    """'a -> b' for each import of a module on a higher floor than the importer's, of a
    knowledge floor by bot/ past the front door, and between floors kept apart."""
    found = []
    for module, source in modules.items():
        own = floor_of(module)
        if own is None:
            continue
        for imported in imports_of(source, module):
            other = floor_of(imported)
            if other is not None and other > own:
                found.append(f"{module} -> {imported}")
            if module.startswith("bot") and any(
                    imported == floor or imported.startswith(floor + ".")
                    for floor in KNOWLEDGE_FLOORS):
                found.append(f"{module} -> {imported} (past the front door)")
            if any(module.startswith(a) and imported.startswith(b) for a, b in APART):
                found.append(f"{module} -> {imported} (kept apart)")
    return sorted(set(found))


def project_modules() -> dict[str, str]:
    modules = {}
    for root in ("bot", "knowledge"):
        for path in (REPO / root).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path.read_text("utf-8")
    return modules


def test_no_floor_imports_from_a_floor_above() -> None:
    assert violations(project_modules()) == []


def test_every_knowledge_module_has_a_floor() -> None:
    flat = [name for name in project_modules()
            if name.startswith("knowledge.") and floor_of(name) == FLOORS.index("knowledge")]
    assert flat == []


def test_bot_asks_the_front_door_only_for_what_it_names() -> None:
    # The door's __getattr__ makes any other name Any to mypy: held here instead.
    asked = {alias.name for module, source in project_modules().items()
             if module.startswith("bot") for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.ImportFrom) and node.module == "knowledge"
             for alias in node.names}
    assert asked and asked <= set(knowledge.__all__)


def test_the_front_door_names_what_it_opens() -> None:
    public = knowledge._PUBLIC
    assert sorted(knowledge.__all__) == sorted(public)
    for name, module in public.items():
        assert getattr(knowledge, name) is getattr(importlib.import_module(module), name)
        assert floor_of(module) is not None and module != "knowledge"


@pytest.mark.parametrize(("module", "source"), [
    ("knowledge.index.store", "from bot.serving.settings import Settings"),
    ("bot.answering.extractive", "import bot.adapters.slack.format"),
    ("bot.serving.assistant", "from bot.cli import main"),
    ("bot.adapters.slack.adapter", "from ...cli.main import main"),
    ("bot.errors", "from bot.answering.answers import Answer"),
    ("knowledge.reading.lines", "from knowledge.passages.splitting import passages_of"),
    ("knowledge.core.errors", "from knowledge.text.languages import detect"),
    ("knowledge.index.refresh", "from knowledge.search.retriever import Retriever"),
    ("bot.answering.extractive", "from knowledge.search.results import PassageHit"),
    ("bot.serving.assistant", "import knowledge.assembly.knowledge_base"),
    ("knowledge.sources.loaders", "from knowledge.passages.splitting import document_blocks"),
])
def test_the_check_catches_an_import_from_above(module: str, source: str) -> None:
    assert violations({module: source}) != []


def test_imports_from_below_and_alongside_pass() -> None:
    assert violations({
        "bot.cli.main": "from bot.adapters.terminal.chat import chat\nimport knowledge",
        "bot.answering.extractive": "from knowledge import PassageHit",
        "knowledge.index.refresh": "from knowledge.passages.splitting import passages_of\n"
                                   "from knowledge.sources.loaders import load",
        "knowledge.search.ranking": "from ..text.sentences import split_sentences",
        "bot.serving.assistant": "from bot.answering.answers import Answer\n"
                                 "from bot.serving.metrics import Metrics\nfrom bot import errors",
        "bot.adapters.slack.adapter": "from .format import escape",
    }) == []
