"""Matrix, against a real Synapse: an admin adds a file to the knowledge base by replying
`add` to it (or saying `add` in its thread), in plain and encrypted rooms; the document is
cited at once, and `remove` takes it out again. And a scoped document is answered in the
rooms (and the direct chats of the people) POLICYBOT_SCOPES gives its scope, and named
nowhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import errors
from bot.serving.assistant import Assistant
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from tests.conftest import ESSAY, make_kb
from tests.pdf_maker import text_pdf
from tests.scoped_sources import QUESTION, SCOPE, scoped_sources
from tests.test_matrix import World, joined_room, world

__all__ = ["world"]  # the fixture, shared with tests/test_matrix.py

pytestmark = pytest.mark.e2e

DRAFT = text_pdf([[f"Section {page}. The consultation draft proposes a public register of "
                   f"data centres above five megawatts, line {line}." for line in range(12)]
                  for page in range(1, 4)])
ADDED = r'Added "Consultation draft": \d+ passages?, searchable now\.'


def body(notice: object) -> str:
    return str(getattr(notice, "content", {}).get("body", ""))


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_an_admin_adds_a_file_by_replying_add_to_it(world: World, own_kb: KnowledgeBase,
                                                     encrypted: bool) -> None:
    world.start_bot(Assistant(own_kb, frozenset({world.admin_id})))
    admin, ana = world.person("admin"), world.person("ana")
    room = joined_room(world, admin, encrypted=encrypted)
    admin.invite(room, ana.user_id)
    ana.join(room)
    file = admin.send_file(room, "draft.pdf", DRAFT)
    ana.send(room, f"{world.bot_id}: add", mention=world.bot_id, reply_to=file)
    refused = body(ana.wait_notices(room, world.bot_id)[0])
    assert refused == errors.ADMINS_ONLY_CHANGE
    admin.send(room, f'{world.bot_id}: add "Consultation draft"', mention=world.bot_id,
               reply_to=file)
    added = admin.wait_notices(room, world.bot_id, 2, timeout=120)[1]
    assert re.fullmatch(ADDED, body(added)), body(added)
    assert added.encrypted == encrypted
    ana.send(room, f"{world.bot_id}: What does the consultation draft propose for data "
             "centres?", mention=world.bot_id)
    answer = ana.wait_notices(room, world.bot_id, 3)[2]
    assert "Consultation draft" in body(answer) and "register" in body(answer)
    ana.send(room, f"{world.bot_id}: sources", mention=world.bot_id)
    sources = body(ana.wait_notices(room, world.bot_id, 4)[3])
    assert f"(chat:draft.pdf; added by {world.admin_id}" in sources
    assert f" in {room})" in sources
    admin.send(room, f"{world.bot_id}: remove Consultation draft", mention=world.bot_id)
    removed = body(admin.wait_notices(room, world.bot_id, 5)[4])
    assert removed.startswith('Removed "Consultation draft"'), removed
    assert set(own_kb.state_file.current().documents) == {ESSAY.name}


def test_add_in_a_thread_takes_the_threads_file_and_without_one_says_how(
        world: World, own_kb: KnowledgeBase) -> None:
    world.start_bot(Assistant(own_kb, frozenset({world.admin_id})))
    admin = world.person("admin")
    room = joined_room(world, admin)
    alone = admin.send(room, f"{world.bot_id}: add", mention=world.bot_id)
    usage = body(admin.wait_notices(room, world.bot_id)[0])
    assert usage.startswith("Attach a file to the message with add")
    root = admin.send(room, "The draft we discuss today:")
    admin.send_file(room, "draft.pdf", DRAFT, thread_root=root)
    admin.send(room, f'{world.bot_id}: add "Consultation draft"', mention=world.bot_id,
               thread_root=root)
    added = admin.wait_notices(room, world.bot_id, 2, timeout=120)[1]
    assert re.fullmatch(ADDED, body(added)), body(added)
    assert added.content["m.relates_to"]["event_id"] == root
    assert alone and "chat:draft.pdf" in own_kb.state_file.current().documents


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
