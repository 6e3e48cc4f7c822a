"""Channels get their own sources: a document with scopes is searched, cited, named and
counted only where POLICYBOT_SCOPES lets its scope reach; everywhere else it is as if it
were not there. Each path a document could leak by, through the Assistant as the adapters
hand requests on (the end-to-end tests are in test_slack.py and test_matrix_add.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answering.answers import Question
from bot.answering.extractive import Answerer
from bot.serving.assistant import Assistant
from bot.serving.commands import Request
from bot.serving.digest import digest_text
from bot.serving.settings import Settings
from knowledge.assembly.adding import AddedBy, Offered
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.core.errors import RefreshFailed
from knowledge.index.embedders import E5Embedder
from testing.openai_server import ChatReply, OpenAIServer
from tests.conftest import ESSAY, make_kb
from tests.scoped_sources import EMBARGO, MANIFEST, QUESTION, scoped_sources

SCOPES = {"CEMB": frozenset({"embargo-x"}), "!emb:example.org": frozenset({"embargo-x"}),
          "UANA": frozenset({"embargo-x"})}
ADMIN = "UADMIN"


@pytest.fixture(scope="module")
def scoped_kb(tmp_path_factory: pytest.TempPathFactory, e5: E5Embedder) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("scopes")
    kb = make_kb(root / "data", [scoped_sources(root / "sources")], e5)
    kb.refresh()
    return kb


@pytest.fixture(scope="module")
def bot(scoped_kb: KnowledgeBase) -> Assistant:
    return Assistant(scoped_kb, frozenset({ADMIN}), scopes=SCOPES)


def said(bot: Assistant, text: str, place: str, user: str = "UBEN", direct: bool = False,
         platform: str = "slack") -> str:
    reply = bot.handle(Request.of(text, user, platform, place=place, direct=direct))
    return reply.text


def test_the_document_is_answered_from_where_its_scope_reaches(bot: Assistant) -> None:
    question = QUESTION
    inside = bot.handle(Request.of(question, "UBEN", "slack", place="CEMB"))
    assert inside.answer is not None and inside.answer.grounded
    assert inside.answer.citations[0].source == "embargo.md"
    room = bot.handle(Request.of(question, "@ben:example.org", "matrix",
                                 place="!emb:example.org"))
    assert room.answer is not None and room.answer.citations[0].source == "embargo.md"
    dm = bot.handle(Request.of(question, "UANA", "slack", place="D1", direct=True))
    assert dm.answer is not None and dm.answer.citations[0].source == "embargo.md"


@pytest.mark.parametrize("place, user, direct", [
    ("COTHER", "UBEN", False),  # another channel
    ("D2", "UBEN", True),  # a DM of someone without the scope
    ("D1", "UANA", False),  # the scope is UANA's in DMs, not in a channel named so
])
def test_nowhere_else_is_it_named_cited_or_counted(bot: Assistant, place: str, user: str,
                                                   direct: bool) -> None:
    def without_it(text: str) -> None:
        assert "Nightingale" not in text and "embargo" not in text, text

    refused = bot.handle(Request.of("What does Project Nightingale fund in Lyon?", user,
                                    "slack", place=place, direct=direct))
    assert refused.answer is not None and not any(
        c.source == "embargo.md" for c in refused.answer.citations)
    # The refusal's "It covers: ..." names what this place sees.
    without_it(refused.text.replace("Project Nightingale fund", ""))
    listing = said(bot, "sources", place, user, direct)
    assert listing.startswith("1 document,") and ESSAY.name in listing
    without_it(listing)
    compared = bot.handle(Request.of("compare GPU cluster", user, "slack", place=place,
                                     direct=direct))
    assert compared.comparison is not None
    without_it(compared.text)
    checked = bot.handle(Request.of("check Project Nightingale funds a GPU cluster in Lyon.",
                                    user, "slack", place=place, direct=direct))
    assert checked.check is not None
    without_it(checked.text.replace("Project Nightingale funds", ""))
    steered = bot.handle(Request.of("What does the Nightingale board report to parliament?",
                                    user, "slack", place=place, direct=direct))
    assert steered.answer is not None and not any(
        c.source == "embargo.md" for c in steered.answer.citations)


def test_help_is_made_of_what_every_channel_sees(bot: Assistant) -> None:
    text = bot.help_text()
    assert "e.g." in text and "Nightingale" not in text and "Oversight" not in text


def test_admins_list_every_scope_with_sources_all(bot: Assistant) -> None:
    every = said(bot, "sources all", "D9", ADMIN, direct=True)
    assert every.startswith("2 documents,") and "Project Nightingale" in every
    # Not where the whole channel reads it.
    here = said(bot, "sources all", "COTHER", ADMIN)
    assert here.startswith("1 document,") and "Nightingale" not in here
    assert "in a direct message" in here
    assert said(bot, "sources all", "COTHER", "UBEN").startswith("1 document,")
    assert said(bot, "sources", "CEMB").startswith("2 documents,")


def test_the_digest_goes_only_where_the_document_is_seen(bot: Assistant,
                                                          scoped_kb: KnowledgeBase) -> None:
    path = scoped_kb.config.sources[0] / "embargo.md"
    path.write_text(EMBARGO.replace("twice a year", "every quarter"), "utf-8")
    summary = scoped_kb.refresh()
    state = scoped_kb.state_file.current()
    assert summary.changed == ["embargo.md"]
    assert digest_text(summary, state, "scheduled", SCOPES["CEMB"]).startswith(
        "The knowledge base changed (scheduled): 0 added, 1 changed")
    assert "Oversight changed" in digest_text(summary, state, "scheduled")  # the log's
    assert digest_text(summary, state, "scheduled", frozenset()) == ""
    manifest = scoped_kb.config.sources[0] / "sources.toml"
    path.unlink()
    manifest.write_text("", "utf-8")
    removed = scoped_kb.refresh()
    assert removed.removed == ["embargo.md"]
    assert "• removed: embargo.md" in digest_text(removed, scoped_kb.state_file.current(),
                                                  "by command", SCOPES["CEMB"])
    assert digest_text(removed, scoped_kb.state_file.current(), "by command",
                       frozenset()) == ""
    path.write_text(EMBARGO, "utf-8")
    manifest.write_text(MANIFEST, "utf-8")
    scoped_kb.refresh()


def test_a_document_added_in_a_scoped_channel_is_of_its_scope(bot: Assistant) -> None:
    note = "Project Heron plans a second data centre in Lille for the public cloud."
    added = bot.knowledge.additions.add(Offered(note.encode(), "heron.md"),
                                        AddedBy(ADMIN, "CEMB", "slack", "Heron note",
                                                ("embargo-x",)))
    assert added.document.scopes == ("embargo-x",)
    assert "Heron" in said(bot, "sources", "CEMB")
    assert "Heron" not in said(bot, "sources", "COTHER")
    assert said(bot, "remove Heron note", "COTHER", ADMIN).startswith(
        'Not removed: no document added from the chat is called "Heron note"')
    assert said(bot, "remove Heron note", "CEMB", ADMIN).startswith('Removed "Heron note"')


def test_bad_scopes_in_a_manifest_stop_the_refresh(tmp_path: Path, e5: E5Embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "embargo.md").write_text(EMBARGO, "utf-8")
    (sources / "sources.toml").write_text(
        '[[source]]\nfile = "embargo.md"\nscopes = "embargo-x"\n', "utf-8")
    with pytest.raises(RefreshFailed, match="'scopes' must be a list of names"):
        make_kb(tmp_path / "data", [sources], e5).refresh()


@pytest.mark.parametrize("manifest, error", [
    ('[[source]]\nfile = "./embargo.md"\nscopes = ["embargo-x"]\n', ""),
    ('[[source]]\nfile = "Embargo.md"\nscopes = ["embargo-x"]\n', "Embargo.md is no file"),
    ('[[source]]\nfile = "sub"\nscopes = ["embargo-x"]\n', "sub is no file"),
    ('[[source]]\nfile = "../embargo.md"\nscopes = ["embargo-x"]\n',
     "resolves outside its sources folder"),
])
def test_a_scoped_file_is_never_read_without_its_scopes(
        tmp_path: Path, e5: E5Embedder, manifest: str, error: str) -> None:
    """However the manifest names it: another spelling, a typo, a folder, a path outside,
    or a symlink to it (the folder's walk would read it unscoped)."""
    sources = scoped_sources(tmp_path / "sources")
    (sources / "sub").mkdir()
    (sources / "sub" / "plan.md").write_text(EMBARGO, "utf-8")
    (sources / "alias.md").symlink_to(sources / "embargo.md")
    (sources / "sources.toml").write_text(manifest, "utf-8")
    kb = make_kb(tmp_path / "data", [sources, sources / "sub"], e5)
    if error:
        with pytest.raises(RefreshFailed, match=error):
            kb.refresh()
        return
    kb.refresh()
    documents = kb.state_file.current().documents
    assert documents["embargo.md"].scopes == ("embargo-x",)
    assert "./embargo.md" not in documents and "alias.md" not in documents
    unscoped = kb.state_file.current().visible(frozenset()).documents
    assert not any("Nightingale" in e.title for k, e in unscoped.items()
                   if k not in {"sub/plan.md", "plan.md"})


def test_a_refresh_reply_in_a_channel_tells_of_its_documents_only(
        scoped_kb: KnowledgeBase) -> None:
    bot = Assistant(scoped_kb, frozenset({ADMIN}), scopes=SCOPES)
    path = scoped_kb.config.sources[0] / "embargo.md"
    path.write_text(EMBARGO.replace("twice a year", "each month"), "utf-8")
    outside = said(bot, "refresh", "COTHER", ADMIN)
    assert outside.startswith("Refresh done: 0 added, 0 changed, 0 removed, 1 unchanged")
    path.write_text(EMBARGO, "utf-8")
    inside = said(bot, "refresh", "CEMB", ADMIN)
    assert inside.startswith("Refresh done: 0 added, 1 changed, 0 removed, 1 unchanged")


def test_a_document_made_public_is_new_to_those_who_could_not_see_it(
        scoped_kb: KnowledgeBase) -> None:
    folder = scoped_kb.config.sources[0]
    (folder / "embargo.md").write_text(EMBARGO.replace("## Oversight", "## Board"), "utf-8")
    (folder / "sources.toml").write_text("", "utf-8")  # its scopes dropped
    summary = scoped_kb.refresh()
    state = scoped_kb.state_file.current()
    outside = digest_text(summary, state, "scheduled", frozenset())
    assert "• added: “Project Nightingale” (embargo.md)" in outside
    assert "Oversight" not in outside  # a heading of the version it could not see
    assert "Oversight removed" in digest_text(summary, state, "scheduled",
                                              SCOPES["CEMB"])
    (folder / "embargo.md").write_text(EMBARGO, "utf-8")
    (folder / "sources.toml").write_text(MANIFEST, "utf-8")
    scoped_kb.refresh()


def test_a_question_that_names_no_scopes_sees_none(scoped_kb: KnowledgeBase) -> None:
    """Fails closed: a path that forgets to say where it asks from sees no scope's
    documents; only the command line and the terminal say "everything"."""
    answerer = Answerer(scoped_kb.retriever)
    assert not any(c.source == "embargo.md"
                   for c in answerer.answer(Question(QUESTION)).citations)
    everything = answerer.answer(Question(QUESTION, scopes=None))
    assert everything.citations[0].source == "embargo.md"
    terminal = Assistant(scoped_kb).handle(Request.of(QUESTION))  # the terminal's request
    assert terminal.answer is not None and terminal.answer.citations[0].source == "embargo.md"


def test_with_a_model_no_prompt_carries_another_scopes_passages(
        scoped_kb: KnowledgeBase) -> None:
    with OpenAIServer() as model:
        model.script = lambda messages: ChatReply("The sources say it funds a cluster [1].")
        settings = Settings(_env_file=None, llm="openai:test-model",  # type: ignore[call-arg]
                            llm_base_url=model.url, scopes={"CEMB": ["embargo-x"]})
        bot = Assistant.from_settings(settings, scoped_kb)
        bot.handle(Request.of(QUESTION, "UBEN", "slack", place="COTHER"))
        bot.handle(Request.of(f"compare {QUESTION}", "UBEN", "slack", place="COTHER"))
        outside = json.dumps(model.chat_requests())
        assert "two billion euros" not in outside and "Nightingale board" not in outside
        bot.handle(Request.of(QUESTION, "UBEN", "slack", place="CEMB"))
        assert "two billion euros" in json.dumps(model.chat_requests())  # the control
