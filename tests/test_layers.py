"""The house's floors: knowledge < answering < serving < adapters < cli.

A module may import from its own floor and the floors below, never from above: answering
knows nothing of chat platforms, adapters nothing of the command line. bot/errors.py is the
bot's ground floor (its error root), importable everywhere in bot/.
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO

FLOORS = ["knowledge", "bot.errors", "bot.answering", "bot.serving", "bot.adapters",
          "bot.cli", "bot.__main__"]


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
    """'a -> b' for each import of a module on a higher floor than the importer's."""
    found = []
    for module, source in modules.items():
        own = floor_of(module)
        if own is None:
            continue
        for imported in imports_of(source, module):
            other = floor_of(imported)
            if other is not None and other > own:
                found.append(f"{module} -> {imported}")
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


@pytest.mark.parametrize(("module", "source"), [
    ("knowledge.store", "from bot.serving.settings import Settings"),
    ("bot.answering.extractive", "import bot.adapters.slack.format"),
    ("bot.serving.assistant", "from bot.cli import main"),
    ("bot.adapters.slack.adapter", "from ...cli.main import main"),
    ("bot.errors", "from bot.answering.answers import Answer"),
])
def test_the_check_catches_an_import_from_above(module: str, source: str) -> None:
    assert violations({module: source}) != []


def test_imports_from_below_and_alongside_pass() -> None:
    assert violations({
        "bot.cli.main": "from bot.adapters.terminal.chat import chat\nimport knowledge.base",
        "bot.serving.assistant": "from bot.answering.answers import Answer\n"
                                 "from bot.serving.metrics import Metrics\nfrom bot import errors",
        "bot.adapters.slack.adapter": "from .format import escape",
    }) == []
