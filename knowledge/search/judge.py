"""Whether a search's best passages are about the question at all, and how similarities
compare across passage languages (against a bundled background of unrelated text)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np

from knowledge.index.embedders import Embedder, Vectors, kept_on_disk
from knowledge.search.results import PassageHit


class RelevanceJudge:
    """Decides whether the best matches are about the question at all, and calibrates
    similarities across passage languages.

    e5's cosine scores are compressed (best on-topic and off-topic scores lie a few
    thousandths apart), and higher for text in the question's own language. Both are
    measured per question against a bundled background of unrelated everyday sentences,
    the same sentences in English and German: a passage's *calibrated* score is its
    similarity minus the question's similarity to the background in the passage's
    language (the mean of the closest three lines). That removes the language preference
    (a German question scores German background higher by the same amount it scores German
    passages higher) and leaves how much more the passage resembles the question than
    unrelated text does.

    Relevance combines the best calibrated score (*margin*) with a *second opinion*:
    USE multilingual's similarity between the question and the matched sentences (USE
    ranks worse than e5 but its scores spread far wider). A positive evidence value means
    relevant; the threshold shifts it. Weights: see BENCHMARKS.md.
    """

    # bench/fit_judge.py on fit data only (XQuAD and the fit half of eval/realcorpus.jsonl).
    MARGIN_WEIGHT = 79.1
    SECOND_WEIGHT = 21.2
    BIAS = -7.32

    def __init__(self, embedder: Embedder, second: Embedder | None, cache_dir: Path | None,
                 threshold: float = 0.0) -> None:
        self.embedder = embedder
        self.second = second
        self.cache_dir = cache_dir
        self.threshold = threshold
        self._background: dict[str, Vectors] | None = None
        self._paragraphs: dict[str, Vectors] | None = None

    def background(self) -> dict[str, Vectors]:
        """Background vectors by language code ("" holds every line)."""
        if self._background is None:
            self._background = self._load_background()
        return self._background

    def _load_background(self) -> dict[str, Vectors]:
        text = resources.files("knowledge").joinpath("background.txt").read_text("utf-8")
        pairs = [[part.strip() for part in line.split("|")] for line in text.splitlines()
                 if line.strip() and not line.startswith("#")]
        english = [pair[0] for pair in pairs]
        german = [pair[1] for pair in pairs if len(pair) > 1]
        matrix = kept_on_disk(self.embedder, english + german, self.cache_dir, "background")
        return {"en": matrix[: len(english)], "de": matrix[len(english):], "": matrix}

    def background_paragraphs(self) -> dict[str, Vectors]:
        """Paragraph-length background: five consecutive lines' vectors averaged."""
        if self._paragraphs is None:
            # Filled aside and then set whole: a question on another thread must never
            # see it half-built (one did: KeyError '' when two questions came at start).
            paragraphs = {}
            for language, rows in self.background().items():
                groups = [rows[i:i + 5].mean(axis=0) for i in range(0, len(rows) - 4, 5)]
                stacked = np.asarray(groups, dtype=np.float32)
                paragraphs[language] = stacked / np.linalg.norm(stacked, axis=1,
                                                                keepdims=True)
            self._paragraphs = paragraphs
        return self._paragraphs

    def offsets(self, question: Vectors, languages: list[str],
                paragraphs: bool = False) -> dict[str, float]:
        """The question's similarity to unrelated text, per passage language: to its lines
        (the judge's margin, as fitted), or to paragraph-length background, five lines'
        vectors averaged (ranking: the length of a passage). The mean of the closest
        three is steadier than the closest one."""
        background = self.background_paragraphs() if paragraphs else self.background()
        return {language: float(np.sort(background.get(language, background[""]) @ question)
                                [-3:].mean())
                for language in languages}

    def second_opinion(self, query: str, sentences: list[str]) -> float:
        if self.second is None or not sentences:
            return 0.0
        vectors = self.second.embed_passages([query, *sentences])
        return float((vectors[1:] @ vectors[0]).max())

    def evidence(self, query: str, hits: list[PassageHit]) -> float:
        return self.evidences(query, [hits])[0]

    def floor(self, hits: list[PassageHit]) -> float:
        """The evidence with the second opinion at its lowest, 0: USE's similarity between
        a question and real sentences does not go below it (lowest over the 188 dev
        questions: 0.013). Where the floor clears the threshold, asking USE (12-19 ms of a
        question) cannot change the verdict. Without a second embedder: the evidence."""
        margin = max(hit.calibrated for hit in hits)
        if self.second is None:
            return self.MARGIN_WEIGHT * margin - 1.0
        return self.MARGIN_WEIGHT * margin + self.BIAS

    def evidences(self, query: str, groups: list[list[PassageHit]],
                  sentences_each: int = 3) -> list[float]:
        """The evidence of each group of hits (a search's, or one document's), with one
        call of the second embedder for the best `sentences_each` sentences of every group."""
        margins = [max(hit.calibrated for hit in hits) for hits in groups]
        if self.second is None:  # margin alone: its own midpoint from the same fit
            return [self.MARGIN_WEIGHT * margin - 1.0 for margin in margins]
        sentences = [[hit.sentence for hit in hits[:sentences_each]] for hits in groups]
        vectors = self.second.embed_passages([query, *(t for ts in sentences for t in ts)])
        similarities = vectors[1:] @ vectors[0]
        evidence, start = [], 0
        for margin, texts in zip(margins, sentences, strict=True):
            second = float(similarities[start:start + len(texts)].max()) if texts else 0.0
            start += len(texts)
            evidence.append(self.MARGIN_WEIGHT * margin + self.SECOND_WEIGHT * second
                            + self.BIAS)
        return evidence
