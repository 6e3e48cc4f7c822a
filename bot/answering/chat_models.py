"""Chat models behind `POLICYBOT_LLM`: none (extractive answers), OpenAI-compatible, Ollama."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel

OPENAI = "openai"
OLLAMA = "ollama"
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"


@dataclass(frozen=True)
class ChatModelSpec:
    provider: str
    model: str


def parse_llm_spec(spec: str) -> ChatModelSpec | None:
    """`""` -> None (extractive answers); `openai:MODEL` or `ollama:MODEL` -> a spec."""
    spec = spec.strip()
    if not spec:
        return None
    provider, _, model = spec.partition(":")
    if provider in {OPENAI, OLLAMA} and model.strip():
        return ChatModelSpec(provider, model.strip())
    raise ValueError(f"unknown model {spec!r}; leave empty, or use openai:MODEL or ollama:MODEL")


def make_chat_model(spec: ChatModelSpec, base_url: str, api_key: str,
                    timeout: float) -> BaseChatModel:
    """Build the client; nothing is contacted until the first question."""
    # Imported here: loading the clients costs start-up time the extractive default
    # should not pay.
    if spec.provider == OPENAI:
        from langchain_openai import ChatOpenAI  # noqa: PLC0415

        # Retries are ours to decide: a slow model must fall back within the timeout,
        # not three timeouts later. Local servers take any key; the client insists on one.
        return ChatOpenAI(model=spec.model, base_url=base_url or None,
                          api_key=api_key or "not-needed",  # type: ignore[arg-type]
                          timeout=timeout, max_retries=0, temperature=0)
    from langchain_ollama import ChatOllama  # noqa: PLC0415

    return ChatOllama(model=spec.model, base_url=base_url or OLLAMA_DEFAULT_URL,
                      temperature=0, client_kwargs={"timeout": timeout})
