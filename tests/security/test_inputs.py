"""Bad input gets a clear answer: the CLI, the settings, the data dir, odd source files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.serving.settings import Settings, SettingsError, load_settings, secure_data_dir
from knowledge.core.errors import SourceError
from knowledge.index.embedders import E5Embedder
from knowledge.passages.splitting import parse_bytes
from tests.conftest import REPO, make_kb, policybot


def test_an_empty_question_and_invalid_utf8_are_one_line_errors(
        cli_env: dict[str, str]) -> None:
    empty = policybot(["ask", "  "], cli_env)
    assert empty.returncode == 2 and empty.stderr == "policybot: the question is empty\n"
    garbled = subprocess.run([sys.executable, "-m", "bot", "ask", "-"], env=cli_env,
                             input=b"\xff\xfe\xfa not utf-8\n", capture_output=True,
                             timeout=300, check=False, cwd=REPO)
    assert garbled.returncode == 2
    assert garbled.stderr.decode() == "policybot: standard input is not UTF-8 text\n"
    assert garbled.stdout == b""


def test_a_megabyte_question_is_cut_to_what_the_embedder_reads(
        cli_env: dict[str, str]) -> None:
    line = "Wer stellt die Rechenleistung bereit? " + "x" * 1_000_000
    result = policybot(["ask", "-", "--json"], cli_env, stdin=line + "\n")
    assert result.returncode == 0, result.stderr


def settings_with(monkeypatch: pytest.MonkeyPatch, **values: str) -> Settings:
    for name in [n for n in os.environ if n.startswith("POLICYBOT_")]:
        monkeypatch.delenv(name)
    for name, value in values.items():
        monkeypatch.setenv(f"POLICYBOT_{name.upper()}", value)
    return load_settings(env_file=None)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_settings_refuse_non_finite_numbers(value: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match=r"POLICYBOT_FETCH_TIMEOUT.*finite"):
        settings_with(monkeypatch, fetch_timeout=value)


def test_the_data_dir_is_its_owners_only(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = tmp_path / "fresh"
    secure_data_dir(settings_with(monkeypatch, data_dir=str(fresh)))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o755)
    secure_data_dir(settings_with(monkeypatch, data_dir=str(loose)))
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    with pytest.raises(SettingsError, match=r"POLICYBOT_DATA_DIR=.*file/data: cannot be used"):
        secure_data_dir(settings_with(monkeypatch, data_dir=str(blocker / "data")))


def test_utf16_text_is_read_and_random_bytes_are_not_text() -> None:
    text = "# Titel\n\nDie Hyperscaler stellen die Rechenleistung bereit.\n"
    _, blocks = parse_bytes(text.encode("utf-16"), "md", "x")
    assert "Rechenleistung" in blocks[0].text
    noise = bytes((n * 7919 + 13) % 255 + 1 for n in range(20_000))  # no NUL byte
    with pytest.raises(SourceError, match="binary data"):
        parse_bytes(noise, "md", "x")


def test_an_emptied_file_removes_its_passages(tmp_path: Path, e5: E5Embedder) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "note.md").write_text("# Note\n\nCloud costs rise every year.\n", "utf-8")
    kb = make_kb(tmp_path / "data", [sources], e5)
    kb.refresher.refresh()
    (sources / "note.md").write_text("", "utf-8")
    summary = kb.refresher.refresh()
    assert summary.notes == [("note.md", "no text any more; its passages were removed")]
    assert kb.state_file.current().documents == {}

