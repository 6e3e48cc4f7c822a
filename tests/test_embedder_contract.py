"""One contract, every embedder: the bundled e5 and USE, and an OpenAI-compatible endpoint
(a local server that answers with deterministic vectors)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from knowledge.index.embedders import E5Embedder, Embedder, OpenAICompatibleEmbedder, UseEmbedder
from testing.openai_server import OpenAIServer

TEXTS = ["Die Politik muss aufwachen.", "Der Kuchen wird bei 160 Grad gebacken.",
         "Who provides the computing power?"]


@pytest.fixture(params=["e5", "use", "openai"])
def embedder(request: pytest.FixtureRequest, e5: E5Embedder) -> Iterator[Embedder]:
    if request.param == "e5":
        yield e5
    elif request.param == "use":
        yield UseEmbedder(threads=1)
    else:
        with OpenAIServer() as server:
            yield OpenAICompatibleEmbedder("tiny", server.url, "", 5.0)


def test_passages_are_unit_rows_of_the_stated_dimension(embedder: Embedder) -> None:
    rows = embedder.embed_passages(TEXTS)
    assert rows.dtype == np.float32 and rows.shape == (len(TEXTS), embedder.dimension)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)


def test_a_question_is_one_unit_vector(embedder: Embedder) -> None:
    vector = embedder.embed_question(TEXTS[2])
    assert vector.dtype == np.float32 and vector.shape == (embedder.dimension,)
    assert np.isclose(float(np.linalg.norm(vector)), 1.0, atol=1e-3)


def test_questions_together_are_each_as_alone(embedder: Embedder) -> None:
    together = embedder.embed_questions([TEXTS[2], TEXTS[0]])
    assert together.dtype == np.float32 and together.shape == (2, embedder.dimension)
    assert np.allclose(together[0], embedder.embed_question(TEXTS[2]), atol=1e-4)
    assert np.allclose(together[1], embedder.embed_question(TEXTS[0]), atol=1e-4)
    # A question is embedded as a question, not as a passage (e5 tells them apart).
    passage = embedder.embed_passages([TEXTS[0]])[0]
    if embedder.identity == "e5-small":
        assert not np.allclose(together[1], passage, atol=1e-3)


def test_no_texts_give_no_rows_of_the_same_width(embedder: Embedder) -> None:
    assert embedder.embed_passages([]).shape == (0, embedder.dimension)


def test_the_same_text_gets_the_same_vector_alone_or_in_a_batch(embedder: Embedder) -> None:
    alone = embedder.embed_passages([TEXTS[0]])[0]
    batched = embedder.embed_passages(TEXTS)[0]
    assert np.allclose(alone, batched, atol=1e-4)


def test_langchain_interface_gives_lists(embedder: Embedder) -> None:
    rows = embedder.embed_documents(TEXTS[:2])
    assert len(rows) == 2 and len(rows[0]) == embedder.dimension
    assert len(embedder.embed_query(TEXTS[2])) == embedder.dimension
