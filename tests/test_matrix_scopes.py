"""Matrix: a scoped document is answered in the rooms (and the direct chats of the
people) POLICYBOT_SCOPES gives its scope, and named nowhere else; against a real Synapse."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.serving.assistant import Assistant
from knowledge.index.embedders import E5Embedder
from tests.conftest import make_kb
from tests.scoped_sources import QUESTION, SCOPE, scoped_sources
from tests.test_matrix import World, joined_room, world

__all__ = ["world"]  # the fixture, shared with tests/test_matrix.py

pytestmark = pytest.mark.e2e


def test_a_scoped_document_is_answered_only_in_its_room(world: World, tmp_path: Path,
                                                          e5: E5Embedder) -> None:
    kb = make_kb(tmp_path / "kb", [scoped_sources(tmp_path / "sources")], e5)
    kb.refresh()
    scopes: dict[str, frozenset[str]] = {}
    world.start_bot(Assistant(kb, frozenset({world.admin_id}), scopes=scopes))
    ana = world.person("ana")
    embargo, other = joined_room(world, ana), joined_room(world, ana)
    scopes[embargo] = frozenset({SCOPE})
    ana.send(embargo, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    inside = ana.wait_notices(embargo, world.bot_id)[0].content["body"]
    assert "Project Nightingale" in inside and "embargo.md" in inside
    ana.send(other, f"{world.bot_id}: {QUESTION}", mention=world.bot_id)
    outside = ana.wait_notices(other, world.bot_id)[0].content
    assert "Nightingale" not in outside.get("formatted_body", "") + \
        outside["body"].replace("Project Nightingale fund", "")
    ana.send(other, f"{world.bot_id}: sources", mention=world.bot_id)
    listing = ana.wait_notices(other, world.bot_id, 2)[1].content["body"]
    assert listing.startswith("1 document,") and "Nightingale" not in listing
