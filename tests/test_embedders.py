import numpy as np
import pytest

from knowledge.embedders import E5Embedder, OpenAICompatibleEmbedder, UseEmbedder, make_embedder
from knowledge.errors import EmbedderError
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


def test_e5_runs_long_lists_in_short_calls_with_the_same_vectors(
        e5: E5Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [f"Article {n}: the manufacturer shall report vulnerability {n} to ENISA." * (n % 7 + 1)
             for n in range(40)]  # 70 to 500 characters each: many calls of ~1,000
    engine = e5._engine()
    with e5._lock:
        whole = np.asarray(engine.passage(texts), dtype=np.float32)  # one engine call
    calls: list[int] = []
    passage = engine.passage

    def counted(batch: list[str]) -> object:
        calls.append(len(batch))
        return passage(batch)

    monkeypatch.setattr(engine, "passage", counted)
    batched = e5.embed_passages(texts)
    assert sum(calls) == len(texts) and len(calls) > 5, calls
    assert batched.shape == whole.shape
    assert np.allclose(batched, whole, atol=1e-6)
    assert np.allclose(e5.embed_passages(texts[5:6])[0], whole[5], atol=1e-6)


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
