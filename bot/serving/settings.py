"""Settings, read once at start-up from the environment and `.env`.

The variable names are a contract used by other tools and docs: keep them exactly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.answering.chat_models import ChatModelSpec, parse_llm_spec
from bot.answering.prompts import DEFAULT_PROMPTS_DIR
from bot.errors import ConfigurationError
from knowledge import DEFAULT_EMBEDDER, KnowledgeConfig, validate_embedder_spec

PREFIX = "POLICYBOT_"


# Settings with a fixed form: the pattern a value must match, and what to say when not.
FORMS = {
    "chroma_url": (r"https?://[^/\s:]+(:\d+)?/?",
                   "give http(s)://HOST[:PORT], e.g. http://127.0.0.1:8000"),
    "matrix_homeserver": (r"https?://[^/\s]+(/\S*)?", "give the homeserver's http(s):// URL"),
    "matrix_user_id": (r"@[^:\s]+:\S+", "give a full Matrix id, like @policybot:example.org"),
    "slack_bot_token": (r"xoxb-\S+", "a bot token starts with xoxb-"),
    "slack_app_token": (r"xapp-\S+", "an app-level token starts with xapp-"),
    "slack_api_url": (r"https?://\S+", "give an http(s):// URL"),
}


class SettingsError(ConfigurationError):
    """One line naming the variable and what is wrong with it."""


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


# Where a digest may go: a Slack channel, private channel or DM id, or a Matrix room id.
ANNOUNCE_PLACE = re.compile(r"[CGD][A-Z0-9]{2,}|![^:\s]+:[^\s]+")
# Whose direct messages see a scope: a Slack user id, or a Matrix user id.
PERSON = re.compile(r"[UW][A-Z0-9]{2,}|@[^:\s]+:[^\s]+")
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h|d)", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_REFRESH_SECONDS = 60.0


def interval_seconds(text: str) -> float:
    """"6h", "30m", "1d", "90s" in seconds; "" or "off" 0. A refresh more often than a
    minute only holds the lock and the embedder: refused."""
    text = text.strip().lower()
    if text in {"", "off", "0", "never"}:
        return 0.0
    found = _INTERVAL.fullmatch(text)
    if found is None:
        raise ValueError(f"cannot read {text!r} as an interval: write e.g. 6h, 30m, 1d "
                         "or off")
    seconds = float(found.group(1)) * _UNIT[found.group(2).lower()]
    if seconds < MIN_REFRESH_SECONDS:
        raise ValueError(f"{text} is shorter than a minute; refresh at most once a minute")
    return seconds


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore",
        allow_inf_nan=False,  # "nan" passed every bound (timeouts, thresholds)
    )

    data_dir: Path = Field(Path(".data"), description="vector store, caches and state")
    sources: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["seeds"],
        description="comma-separated folders or files to index",
    )
    embedder: str = Field(DEFAULT_EMBEDDER, description="e5-small, use-multilingual or "
                          "openai:MODEL")
    embedder_base_url: str = Field("", description="base URL for an openai:MODEL embedder")
    embedder_api_key: str = Field("", description="API key for an openai:MODEL embedder")
    offline: bool = Field(False, description="never fetch URL sources; use cached copies")
    url_max_age_hours: float = Field(24.0, ge=0, description="refetch URL sources older "
                                     "than this")
    fetch_timeout: float = Field(10.0, gt=0, description="seconds a URL source may take in "
                                 "all (a deadline, not per read), and to wait for an "
                                 "embeddings endpoint")
    fetch_max_mb: float = Field(50.0, gt=0, description="a URL source larger than this is "
                                "refused while it streams in")
    add_max_mb: float = Field(25.0, gt=0, description="a document added from the chat (a "
                              "file or a URL) larger than this is refused")
    max_passages_per_source: int = Field(20_000, ge=1, description="a source yielding more "
                                         "passages is refused by name")
    relevance_threshold: float = Field(0.0, description="raise to refuse more, lower to "
                                       "answer more")
    chroma_url: str = Field("", description="a Chroma server (`chroma run`); empty: the "
                            "embedded store in the data dir")
    answer_threads: int = Field(4, ge=1, le=64, description="threads answering at once "
                                "(per platform); model calls are waits, so more than cores")
    user_threads: int = Field(2, ge=1, le=64, description="threads one person's requests "
                              "may hold at once: the rest stay free for others")
    user_max_cost: int = Field(30, ge=1, description="work one person may have queued or "
                               "running, in searches and model calls (a question 1, 3 with a "
                               "model; a check of 10 claims with a model 21); past it: one "
                               "'busy' reply")
    queue_max: int = Field(200, ge=1, description="requests waiting in all before everyone "
                           "gets the 'busy' reply")
    check_max_claims: int = Field(10, ge=1, le=50, description="claims a check reads; with "
                                  "a model, one call each and one for the quotes")
    feedback_days: float = Field(90.0, ge=0, description="days a feedback record (with "
                                 "its question and answer) is kept; 0: votes only, no text")
    chroma_token: str = Field("", description="a token sent to the Chroma server "
                              "(Authorization: Bearer); Chroma 1.x checks none itself: a "
                              "proxy in front of it must")
    dictionary: str = Field("", description="a German-English dictionary in Ding's format, "
                            "for German questions about English sources; empty: Debian's "
                            "trans-de-en where installed; off: none")
    llm: str = Field("", description="empty: extractive answers; openai:MODEL or "
                     "ollama:MODEL for generated ones")
    llm_base_url: str = Field("", description="the model endpoint (OpenAI-compatible /v1 "
                              "URL, or Ollama's URL)")
    llm_api_key: str = Field("", description="API key for the model endpoint")
    llm_timeout: float = Field(60.0, gt=0, description="seconds to wait for the model "
                               "before falling back to an extractive answer")
    prompts_dir: Path = Field(DEFAULT_PROMPTS_DIR, description="folder of the prompt "
                              "templates")
    admins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="user ids allowed to run admin commands"
    )
    scopes: Annotated[dict[str, list[str]], NoDecode] = Field(
        default_factory=dict, description="JSON: channel or room ids (and, for direct "
        "messages, user ids) to the scopes they see, e.g. {\"C0A\": [\"alpha\"]}")
    refresh_every: str = Field("", description="refresh in the background this often "
                               "(e.g. 6h, 30m, 1d); empty or off: never")
    announce: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Slack channel ids and Matrix room ids that get "
        "a digest of what a refresh changed")
    log_level: str = Field("WARNING", description="DEBUG, INFO, WARNING or ERROR")
    slack_bot_token: str = Field("", description="xoxb- bot token; set to run on Slack")
    slack_app_token: str = Field("", description="xapp- app token: Socket Mode (the default)")
    slack_signing_secret: str = Field("", description="signing secret: HTTP mode instead of "
                                      "Socket Mode")
    slack_port: int = Field(3000, ge=1, le=65535, description="HTTP mode: port for Slack's "
                            "requests")
    slack_host: str = Field("0.0.0.0", description="HTTP mode: address to listen on")
    slack_api_url: str = Field("", description="Slack Web API base URL (proxies, tests); "
                               "empty: https://slack.com/api/")

    @field_validator("refresh_every")
    @classmethod
    def _interval(cls, value: str) -> str:
        interval_seconds(value)  # a bad one stops start-up, naming the variable
        return value.strip()

    @field_validator("announce")
    @classmethod
    def _places(cls, value: list[str]) -> list[str]:
        for place in value:
            if not ANNOUNCE_PLACE.fullmatch(place):
                raise ValueError(f"{place!r} is neither a Slack channel id (C0123ABCD) nor "
                                 "a Matrix room id (!abc:example.org)")
        return value

    @field_validator("scopes", mode="before")
    @classmethod
    def _scope_map(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return {}
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"not JSON ({error.msg} at character {error.pos}); write "
                                 'e.g. {"C0A": ["alpha"], "!abc:example.org": ["beta"]}'
                                 ) from None
        if not isinstance(value, dict):
            raise ValueError('a JSON object of ids to lists of scopes, e.g. {"C0A": '
                             '["alpha"]}')
        for place, scopes in value.items():
            if not (ANNOUNCE_PLACE.fullmatch(str(place)) or PERSON.fullmatch(str(place))):
                raise ValueError(f"{place!r} is neither a Slack channel or user id (C0A, "
                                 "U0B) nor a Matrix room or user id (!abc:example.org, "
                                 "@ana:example.org)")
            if not isinstance(scopes, list) or not all(isinstance(x, str) and x.strip()
                                                       for x in scopes):
                raise ValueError(f"{place}: the scopes must be a list of names")
        return value

    def scope_map(self) -> dict[str, frozenset[str]]:
        """POLICYBOT_SCOPES: each id's scopes."""
        return {place: frozenset(x.strip() for x in scopes)
                for place, scopes in self.scopes.items()}

    def refresh_seconds(self) -> float:
        """POLICYBOT_REFRESH_EVERY in seconds; 0: never."""
        return interval_seconds(self.refresh_every)

    @field_validator("sources", "admins", "matrix_allowed_servers", "matrix_allowed_users",
                     "announce", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _comma_list(value)

    @field_validator("sources")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one folder or file")
        return value

    @field_validator("embedder")
    @classmethod
    def _embedder(cls, value: str) -> str:
        return validate_embedder_spec(value)

    @field_validator("dictionary")
    @classmethod
    def _dictionary(cls, value: str) -> str:
        value = value.strip()
        if value and value.lower() != "off" and not Path(value).expanduser().is_file():
            raise ValueError("no such file; name a dictionary file, or off")
        return value

    @field_validator("llm")
    @classmethod
    def _llm(cls, value: str) -> str:
        parse_llm_spec(value)
        return value.strip()

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        form = value.strip().lower()
        if form not in {"text", "json"}:
            raise ValueError("choose text or json")
        return form

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("choose DEBUG, INFO, WARNING or ERROR")
        return level

    metrics_port: int = Field(0, ge=0, le=65535, description="port for /healthz and "
                              "/metrics; 0: off")
    # This host only unless opened: the metrics name the bot's platforms and its load.
    metrics_host: str = Field("127.0.0.1", description="address for /healthz and /metrics "
                              "(0.0.0.0: every interface, as inside a container)")
    log_format: str = Field("text", description="text (one readable line per event) or json")
    matrix_homeserver: str = Field("", description="homeserver URL; set to run on Matrix")
    matrix_user_id: str = Field("", description="the bot's Matrix id, @bot:example.org")
    matrix_password: str = Field("", description="the bot's password (or an access token)")
    matrix_access_token: str = Field("", description="an access token instead of a password")
    matrix_device_name: str = Field("policybot", description="device name shown to people")
    matrix_allowed_servers: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="servers whose users may invite the bot and be "
        "answered; empty: the bot's own server; *: every server")
    matrix_allowed_users: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="when set, only these user ids (and the admins) "
        "may invite the bot or be answered, whatever their server")
    matrix_catch_up_hours: float = Field(3.0, ge=0, description="after a restart, answer "
                                         "missed messages up to this old")

    @field_validator(*FORMS)
    @classmethod
    def _form(cls, value: str, info: ValidationInfo) -> str:
        value = value.strip()
        pattern, message = FORMS[str(info.field_name)]
        if value and not re.fullmatch(pattern, value):
            raise ValueError(message)
        return value

    @field_validator("matrix_homeserver")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto the base URL: without the slash they glue on.
        return value if not value or value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _platforms(self) -> Settings:
        if self.slack_bot_token and not (self.slack_app_token or self.slack_signing_secret):
            raise ValueError("POLICYBOT_SLACK_BOT_TOKEN needs POLICYBOT_SLACK_APP_TOKEN "
                             "(Socket Mode) or POLICYBOT_SLACK_SIGNING_SECRET (HTTP mode)")
        if self.matrix_homeserver and not self.matrix_user_id:
            raise ValueError("POLICYBOT_MATRIX_HOMESERVER needs POLICYBOT_MATRIX_USER_ID")
        if self.matrix_homeserver and not (self.matrix_password or self.matrix_access_token):
            raise ValueError("POLICYBOT_MATRIX_HOMESERVER needs POLICYBOT_MATRIX_PASSWORD or "
                             "POLICYBOT_MATRIX_ACCESS_TOKEN")
        return self

    def chat_model(self) -> ChatModelSpec | None:
        return parse_llm_spec(self.llm)

    def secrets(self) -> list[str]:
        """Values that must never reach a prompt, an answer or a log line."""
        return [str(value) for name, value in self.model_dump().items()
                if value and name.endswith(("_key", "_token", "_password", "_secret"))]

    def knowledge(self) -> KnowledgeConfig:
        return KnowledgeConfig(
            data_dir=self.data_dir,
            sources=tuple(Path(s) for s in self.sources),
            embedder=self.embedder,
            embedder_base_url=self.embedder_base_url,
            embedder_api_key=self.embedder_api_key,
            embedder_timeout=self.fetch_timeout,
            offline=self.offline,
            url_max_age_hours=self.url_max_age_hours,
            fetch_timeout=self.fetch_timeout,
            fetch_max_bytes=int(self.fetch_max_mb * 1024 * 1024),
            add_max_bytes=int(self.add_max_mb * 1024 * 1024),
            max_passages_per_source=self.max_passages_per_source,
            relevance_threshold=self.relevance_threshold,
            chroma_url=self.chroma_url,
            chroma_token=self.chroma_token,
            dictionary=self.dictionary,
        )


def load_settings(env_file: Path | None = Path(".env")) -> Settings:
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if not first["loc"]:  # a rule across settings names its variables itself
            raise SettingsError(message) from None
        raise SettingsError(f"{PREFIX}{str(first['loc'][0]).upper()}: {message}") from None


def secure_data_dir(settings: Settings) -> None:
    """Create the data dir for its owner only (0700), or tighten an existing one: it holds
    the Matrix login and keys, the Slack feedback, the store. Errors name the variable."""
    path = settings.data_dir
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except OSError as error:
        raise SettingsError(f"{PREFIX}DATA_DIR={path}: cannot be used "
                            f"({error.strerror or type(error).__name__})") from None
