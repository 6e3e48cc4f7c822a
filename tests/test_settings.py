import os
from pathlib import Path

import pytest

from bot.serving.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("POLICYBOT_"):
            monkeypatch.delenv(name)


def test_defaults_are_the_documented_ones(tmp_path: Path) -> None:
    settings = load_settings(env_file=None)
    assert settings.data_dir == Path(".data")
    assert settings.sources == ["seeds"]
    assert settings.embedder == "e5-small"
    assert settings.admins == []


def test_comma_lists_and_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / ".env"
    env.write_text("POLICYBOT_SOURCES=seeds, more/docs ,extra.pdf\n"
                   "POLICYBOT_ADMINS=@ana:example.org,U0123\n", encoding="utf-8")
    settings = load_settings(env_file=env)
    assert settings.sources == ["seeds", "more/docs", "extra.pdf"]
    assert settings.admins == ["@ana:example.org", "U0123"]
    monkeypatch.setenv("POLICYBOT_SOURCES", "only")
    assert load_settings(env_file=env).sources == ["only"]  # the environment wins


@pytest.mark.parametrize(("name", "value", "says"), [
    ("POLICYBOT_EMBEDDER", "bert", "POLICYBOT_EMBEDDER: unknown embedder 'bert'"),
    ("POLICYBOT_FETCH_TIMEOUT", "soon", "POLICYBOT_FETCH_TIMEOUT: "),
    ("POLICYBOT_SOURCES", " , ", "POLICYBOT_SOURCES: name at least one folder or file"),
    ("POLICYBOT_LOG_LEVEL", "loud", "POLICYBOT_LOG_LEVEL: choose DEBUG"),
    ("POLICYBOT_OFFLINE", "perhaps", "POLICYBOT_OFFLINE: "),
    ("POLICYBOT_LLM", "gpt-4", "POLICYBOT_LLM: unknown model 'gpt-4'"),
    ("POLICYBOT_LLM", "openai:", "POLICYBOT_LLM: unknown model"),
    ("POLICYBOT_LLM_TIMEOUT", "0", "POLICYBOT_LLM_TIMEOUT: "),
    ("POLICYBOT_DICTIONARY", "/no/such/de-en", "POLICYBOT_DICTIONARY: no such file"),
])
def test_invalid_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, says: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=None)
    message = str(caught.value)
    assert message.startswith(says)
    assert "\n" not in message


def test_the_dictionary_is_a_file_off_or_found(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(env_file=None).knowledge().dictionary == ""
    monkeypatch.setenv("POLICYBOT_DICTIONARY", "off")
    assert load_settings(env_file=None).knowledge().dictionary == "off"
    ding = tmp_path / "de-en"
    ding.write_text("Risiko {n} :: risk\n", encoding="utf-8")
    monkeypatch.setenv("POLICYBOT_DICTIONARY", f" {ding} ")
    assert load_settings(env_file=None).knowledge().dictionary == str(ding)


def test_openai_embedder_spec_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYBOT_EMBEDDER", "openai:text-embedding-3-small")
    assert load_settings(env_file=None).embedder == "openai:text-embedding-3-small"


@pytest.mark.parametrize(("value", "provider", "model"), [
    ("openai:mistral-small-latest", "openai", "mistral-small-latest"),
    ("ollama:llama3.1:8b", "ollama", "llama3.1:8b"),
])
def test_llm_spec_is_parsed(monkeypatch: pytest.MonkeyPatch, value: str, provider: str,
                            model: str) -> None:
    monkeypatch.setenv("POLICYBOT_LLM", value)
    spec = load_settings(env_file=None).chat_model()
    assert spec is not None and (spec.provider, spec.model) == (provider, model)


def test_no_llm_means_extractive_answers() -> None:
    assert load_settings(env_file=None).chat_model() is None


def test_secrets_are_the_key_and_token_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYBOT_LLM_API_KEY", "sk-abc-123456789")
    monkeypatch.setenv("POLICYBOT_EMBEDDER_API_KEY", "emb-987654321")
    assert sorted(load_settings(env_file=None).secrets()) == ["emb-987654321", "sk-abc-123456789"]


SLACK_MISTAKES = [
    ({"POLICYBOT_SLACK_BOT_TOKEN": "xoxp-user"}, "POLICYBOT_SLACK_BOT_TOKEN: a bot token "
     "starts with xoxb-"),
    ({"POLICYBOT_SLACK_BOT_TOKEN": "xoxb-1", "POLICYBOT_SLACK_APP_TOKEN": "xoxb-2"},
     "POLICYBOT_SLACK_APP_TOKEN: an app-level token starts with xapp-"),
    ({"POLICYBOT_SLACK_BOT_TOKEN": "xoxb-1"}, "POLICYBOT_SLACK_BOT_TOKEN needs "
     "POLICYBOT_SLACK_APP_TOKEN (Socket Mode) or POLICYBOT_SLACK_SIGNING_SECRET (HTTP mode)"),
    ({"POLICYBOT_SLACK_PORT": "99999"}, "POLICYBOT_SLACK_PORT: "),
    ({"POLICYBOT_SLACK_API_URL": "slack.example"}, "POLICYBOT_SLACK_API_URL: give an http"),
]


def test_slack_settings_and_their_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYBOT_SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("POLICYBOT_SLACK_SIGNING_SECRET", "shh")
    monkeypatch.setenv("POLICYBOT_SLACK_API_URL", "http://127.0.0.1:9/api")
    settings = load_settings(env_file=None)
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"  # slack_sdk needs the slash
    assert settings.slack_port == 3000
    assert {"xoxb-1", "shh"} <= set(settings.secrets())  # kept out of prompts and answers


@pytest.mark.parametrize(("env", "says"), [
    *SLACK_MISTAKES,
    ({"POLICYBOT_MATRIX_HOMESERVER": "matrix.example.org"},
     "POLICYBOT_MATRIX_HOMESERVER: give the homeserver's http(s):// URL"),
    ({"POLICYBOT_MATRIX_USER_ID": "policybot"},
     "POLICYBOT_MATRIX_USER_ID: give a full Matrix id, like @policybot:example.org"),
    ({"POLICYBOT_MATRIX_HOMESERVER": "https://m.example.org"},
     "POLICYBOT_MATRIX_HOMESERVER needs POLICYBOT_MATRIX_USER_ID"),
    ({"POLICYBOT_MATRIX_HOMESERVER": "https://m.example.org",
      "POLICYBOT_MATRIX_USER_ID": "@bot:example.org"},
     "POLICYBOT_MATRIX_HOMESERVER needs POLICYBOT_MATRIX_PASSWORD or "
     "POLICYBOT_MATRIX_ACCESS_TOKEN"),
    ({"POLICYBOT_MATRIX_CATCH_UP_HOURS": "-1"}, "POLICYBOT_MATRIX_CATCH_UP_HOURS: "),
])
def test_platform_settings_are_checked_at_start_up(monkeypatch: pytest.MonkeyPatch,
                                                   env: dict[str, str], says: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file=None)
    assert str(caught.value).startswith(says) and "\n" not in str(caught.value)


def test_matrix_settings_and_their_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYBOT_MATRIX_HOMESERVER", "https://m.example.org/")
    monkeypatch.setenv("POLICYBOT_MATRIX_USER_ID", "@bot:example.org")
    monkeypatch.setenv("POLICYBOT_MATRIX_ACCESS_TOKEN", "syt_secret")
    monkeypatch.setenv("POLICYBOT_MATRIX_ALLOWED_SERVERS", "example.org, gov.example")
    settings = load_settings(env_file=None)
    assert settings.matrix_homeserver == "https://m.example.org"
    assert settings.matrix_allowed_servers == ["example.org", "gov.example"]
    assert settings.matrix_catch_up_hours == 3.0
    assert "syt_secret" in settings.secrets()
