"""XQuAD as a retrieval benchmark: German paragraphs as documents, DE and EN questions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

XQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "xquad"


@dataclass(frozen=True)
class Question:
    text: str
    source: str  # the article's file name in the built sources folder
    paragraph: int  # 1-based


def article_file(title: str) -> str:
    return f"{title}.md"


def write_sources(folder: Path, xquad: Path = XQUAD) -> int:
    """One markdown document per German article; returns the paragraph count."""
    data = json.loads((xquad / "xquad.de.dev.json").read_text(encoding="utf-8"))
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for article in data["data"]:
        title = article["title"].replace("_", " ")
        body = "\n\n".join(p["context"].replace("\n", " ") for p in article["paragraphs"])
        (folder / article_file(article["title"])).write_text(f"# {title}\n\n{body}\n", "utf-8")
        count += len(article["paragraphs"])
    return count


def questions(language: str, xquad: Path = XQUAD) -> list[Question]:
    data = json.loads((xquad / f"xquad.{language}.dev.json").read_text(encoding="utf-8"))
    found = []
    for article in data["data"]:
        for number, paragraph in enumerate(article["paragraphs"], start=1):
            for qa in paragraph["qas"]:
                found.append(Question(qa["question"], article_file(article["title"]), number))
    return found


def paragraphs(xquad: Path = XQUAD) -> list[tuple[str, int, str]]:
    data = json.loads((xquad / "xquad.de.dev.json").read_text(encoding="utf-8"))
    return [
        (article_file(article["title"]), number, p["context"])
        for article in data["data"]
        for number, p in enumerate(article["paragraphs"], start=1)
    ]
