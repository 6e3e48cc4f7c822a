"""`check CLAIM`: the text split into its claims, each with the closest source passages.

Extractive only so far: without a model there is no verdict (said plainly), only the
passages a reader needs to judge the claim. Bounded: the first MAX_CLAIMS statements."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bot.answering.answers import Citation
from bot.answering.extractive import cite
from bot.answering.redaction import Redactor
from knowledge.retrieval import Retriever
from knowledge.sentences import split_sentences

Verdict = Literal["supported", "contradicted", "not_found"]
MAX_CLAIMS = 10
PASSAGES_PER_CLAIM = 3
NO_VERDICT = ("No verdict: that needs a language model (POLICYBOT_LLM); here are the closest "
              "passages for each claim.")


@dataclass(frozen=True)
class CheckedClaim:
    claim: str
    verdict: Verdict | None
    citations: tuple[Citation, ...]

    def to_json(self) -> dict[str, object]:
        return {"claim": self.claim, "verdict": self.verdict,
                "citations": [c.to_json() for c in self.citations]}


@dataclass(frozen=True)
class CheckResult:
    text: str
    claims: tuple[CheckedClaim, ...]

    def to_json(self) -> dict[str, object]:
        """The `check --json` contract."""
        return {"text": self.text, "claims": [c.to_json() for c in self.claims]}

    def redacted(self, redact: Redactor) -> CheckResult:
        """With every secret taken out of the cited passages."""
        return replace(self, claims=tuple(
            replace(c, citations=tuple(redact.citation(x) for x in c.citations))
            for c in self.claims))


def claims_of(text: str) -> list[str]:
    """The statements of a text, questions left out, at most MAX_CLAIMS."""
    statements = [s for s in split_sentences(" ".join(text.split()))
                  if len(s.split()) >= 3 and not s.rstrip().endswith("?")]
    return statements[:MAX_CLAIMS]


def check_claims(retriever: Retriever, text: str) -> CheckResult:
    checked = []
    n = 1
    for claim in claims_of(text):
        retrieval = retriever.search(claim, k=PASSAGES_PER_CLAIM)
        citations = []
        for hit in retrieval.hits:
            citations.append(cite(n, hit, claim))
            n += 1
        checked.append(CheckedClaim(claim, None, tuple(citations)))
    return CheckResult(text, tuple(checked))
