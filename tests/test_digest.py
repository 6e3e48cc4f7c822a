"""The digest of what a refresh changed: a changed statute's sections named exactly (two
versions of one document), the digest posted by a scheduled refresh to the places in
POLICYBOT_ANNOUNCE (the real Bolt app against the Slack stand-in), and the settings read
or refused at start-up."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest

from bot.adapters.slack.adapter import SlackAdapter, SlackConfig
from bot.cli.main import run_refresh
from bot.serving.assistant import Assistant
from bot.serving.digest import digest_text
from bot.serving.feedback import FeedbackLog
from bot.serving.schedule import Schedule
from bot.serving.settings import Settings, SettingsError, interval_seconds, load_settings
from knowledge.assembly.knowledge_base import KnowledgeBase
from knowledge.index.embedders import E5Embedder
from testing.running_bot import RunningBot
from testing.slack_server import SlackStandIn, wait_until
from tests.conftest import make_kb
from tests.statute import statute_markdown

V1 = statute_markdown()
PART_1 = "Abschnitt 1: Allgemeine Vorschriften"
# § 1 (2) reworded, § 6 gone, a § 99 at the end.
V2 = V1.replace("2024/2847 und regelt", "2024/2847 sowie die Richtlinie (EU) 2022/2555 und "
                "regelt")
V2 = re.sub(r"§ 6 Pflichten der Händler\n\n(?:.+\n\n)+?(?=## |§ 7)", "", V2)
V2 += "\n§ 99 Inkrafttreten\n\nDieses Gesetz tritt am Tag nach der Verkündung in Kraft.\n"


@pytest.fixture
def statute_kb(tmp_path: Path, e5: E5Embedder) -> KnowledgeBase:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "statute.md").write_text(V1, "utf-8")
    kb = make_kb(tmp_path / "data", [sources], e5)
    kb.refresh()
    return kb


def test_a_changed_statute_names_exactly_its_changed_sections(
        statute_kb: KnowledgeBase) -> None:
    assert "§ 6 Pflichten der Händler" not in V2 and "§ 7 Zuständige Behörde" in V2
    (statute_kb.config.sources[0] / "statute.md").write_text(V2, "utf-8")
    summary = statute_kb.refresh()
    assert summary.changed == ["statute.md"]
    changes = summary.sections["statute.md"]
    assert changes.added == ("Abschnitt 3: Aufsicht › § 99: Inkrafttreten",)
    assert changes.changed == (f"{PART_1} › § 1: Zweck des Gesetzes › (1)–(2)",)
    assert [s for s in changes.removed if "§ 6" in s] == list(changes.removed)
    assert changes.removed and all("Pflichten der Händler" in s for s in changes.removed)
    digest = digest_text(summary, statute_kb.state_file.current(), "scheduled").splitlines()
    assert digest[0] == ("The knowledge base changed (scheduled): 0 added, 1 changed, "
                         "0 removed.")
    assert digest[1].startswith("• changed: “Gesetz über die Sicherheit vernetzter Produkte” "
                                "(statute.md): Abschnitt 3: Aufsicht › § 99: Inkrafttreten "
                                f"added; {PART_1} › § 1: Zweck des Gesetzes › (1)–(2) "
                                "changed; ")
    assert digest[1].endswith("removed") and len(digest) == 2


def test_nothing_changed_is_no_digest(statute_kb: KnowledgeBase) -> None:
    summary = statute_kb.refresh()
    assert summary.unchanged == ["statute.md"]
    assert digest_text(summary, statute_kb.state_file.current(), "scheduled") == ""


class Together:
    """The Slack adapter and the schedule on one loop, as `policybot run` serves them."""

    name = "together"

    def __init__(self, slack: SlackAdapter, schedule: Schedule) -> None:
        self.slack, self.schedule = slack, schedule

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(self.slack.run(stop), self.schedule.run(stop))

    async def healthy(self) -> bool:
        return True


@pytest.mark.e2e
def test_a_scheduled_refresh_posts_its_digest_where_announced(
        slack: SlackStandIn, statute_kb: KnowledgeBase) -> None:
    assistant = Assistant(statute_kb)
    adapter = SlackAdapter(assistant, SlackConfig(bot_token=slack.bot_token,
                                                  app_token=slack.app_token,
                                                  api_url=slack.api_url),
                           FeedbackLog(statute_kb.config.data_dir / "feedback.jsonl"))
    schedule = Schedule(assistant, 0.5, ["CANNOUNCE"], [adapter])
    with RunningBot(Together(adapter, schedule)) as running:
        wait_until(lambda: schedule.runs >= 1, what="a first scheduled refresh")
        time.sleep(0.8)  # an unchanged refresh says nothing
        assert slack.posts("CANNOUNCE") == []
        (statute_kb.config.sources[0] / "statute.md").write_text(V2, "utf-8")
        post = wait_until(lambda: slack.posts("CANNOUNCE"), what="the digest")[0]
        refreshed = schedule.runs
        wait_until(lambda: schedule.runs >= refreshed + 2, what="two more refreshes")
        assert len(slack.posts("CANNOUNCE")) == 1  # said once, not at every refresh
    assert running.error is None
    assert post["text"].startswith("The knowledge base changed (scheduled): 0 added, "
                                   "1 changed, 0 removed.")
    assert "§ 99: Inkrafttreten added" in post["text"]


@pytest.mark.parametrize("text, seconds", [("6h", 21600.0), ("30m", 1800.0), ("1d", 86400.0),
                                           ("90s", 90.0), ("", 0.0), ("off", 0.0)])
def test_intervals_are_read(text: str, seconds: float) -> None:
    assert interval_seconds(text) == seconds


@pytest.mark.parametrize("name, value, message", [
    ("POLICYBOT_REFRESH_EVERY", "every six hours", "cannot read 'every six hours'"),
    ("POLICYBOT_REFRESH_EVERY", "10s", "shorter than a minute"),
    ("POLICYBOT_ANNOUNCE", "C0A,#general", "'#general' is neither a Slack channel id"),
])
def test_bad_schedule_settings_stop_start_up_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings(None)
    assert str(error.value).startswith(f"{name}: ") and message in str(error.value)


def test_announce_places_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYBOT_ANNOUNCE", "C0A1B2, !abc:example.org")
    assert Settings(_env_file=None).announce == [  # type: ignore[call-arg]
        "C0A1B2", "!abc:example.org"]


def test_refresh_json_names_the_changed_sections(statute_kb: KnowledgeBase,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`policybot refresh --json`'s own function (the process around it is tested in
    test_kept_words), on the statute's second version."""
    (statute_kb.config.sources[0] / "statute.md").write_text(V2, "utf-8")
    assert run_refresh(statute_kb, as_json=True) == 0
    [changes] = json.loads(capsys.readouterr().out)["sections"]
    assert changes["source"] == "statute.md"
    assert changes["added"] == ["Abschnitt 3: Aufsicht › § 99: Inkrafttreten"]
    assert changes["changed"] == [f"{PART_1} › § 1: Zweck des Gesetzes › (1)–(2)"]
    assert run_refresh(statute_kb, as_json=True) == 0
    assert json.loads(capsys.readouterr().out)["sections"] == []
