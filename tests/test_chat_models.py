"""POLICYBOT_LLM specs become the right LangChain clients, without contacting anything."""

from __future__ import annotations

import pytest
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI

from bot.answering.chat_models import ChatModelSpec, make_chat_model, parse_llm_spec


def test_openai_spec_builds_a_client_without_retries() -> None:
    model = make_chat_model(ChatModelSpec("openai", "m"), "http://127.0.0.1:9/v1", "", 7.0)
    assert isinstance(model, ChatOpenAI)
    assert model.max_retries == 0 and model.request_timeout == 7.0
    assert model.openai_api_base == "http://127.0.0.1:9/v1"


def test_ollama_spec_defaults_to_the_local_server() -> None:
    model = make_chat_model(ChatModelSpec("ollama", "llama3.1"), "", "", 5.0)
    assert isinstance(model, ChatOllama)
    assert model.base_url == "http://127.0.0.1:11434" and model.model == "llama3.1"


@pytest.mark.parametrize("spec", ["gpt-4", "openai:", "anthropic:claude", ":x"])
def test_unknown_specs_are_rejected(spec: str) -> None:
    with pytest.raises(ValueError, match="unknown model"):
        parse_llm_spec(spec)
