"""A passage's sentences as the refresh split them: by index, whole, or its first."""

from __future__ import annotations

from functools import lru_cache

from knowledge.text.sentences import split_sentences


def sentence_at(text: str, index: int) -> str:
    """A passage's sentence by index, split as the refresh split it (a change to the
    splitter changes PIPELINE_VERSION, so stored indexes always match)."""
    sentences = sentences_of(text)
    return sentences[index] if 0 <= index < len(sentences) else ""


@lru_cache(maxsize=4096)
def sentences_of(text: str) -> tuple[str, ...]:
    return tuple(split_sentences(text))


def first_sentence(text: str) -> str:
    sentences = split_sentences(text)
    return sentences[0] if sentences else text
