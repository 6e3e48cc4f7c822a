"""`check CLAIM`: the text split into its claims, each with the closest source passages,
and with a model configured a verdict.

A verdict is a model's reading, so it is kept only with proof: a `supported` or
`contradicted` verdict must quote a passage, and the quote must be found in a passage of
the knowledge base (white space and line-break hyphens aside). No quote, no verdict: the
claim then shows its closest passages, as without a model. Bounded: the first MAX_CLAIMS
statements."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, cast

from langchain_core.language_models import BaseChatModel

from bot.answering.answers import Citation
from bot.answering.citing import verified_quote
from bot.answering.delimiting import neutralise, passages_block
from bot.answering.extractive import cite
from bot.answering.prompts import DEFAULT_PROMPTS_DIR, run_prompts, text_chain
from bot.answering.redaction import Redactor
from bot.answering.translation import Translator
from knowledge import PassageHit, Retrieval, Retriever, share_found, split_sentences

log = logging.getLogger(__name__)

Verdict = Literal["supported", "contradicted", "not_found"]
VERDICTS = ("supported", "contradicted", "not_found")
MAX_CLAIMS = 10
MAX_CLAIM_CHARS = 1000
PASSAGES_PER_CLAIM = 3
NO_VERDICT = ("No verdict: that needs a language model (POLICYBOT_LLM); here are the closest "
              "passages for each claim.")
MODEL_VERDICTS = ("Verdicts are a language model's reading; each one quotes the passage it "
                  "rests on, checked to be in the sources.")
WITHHELD = "No verdict: the model's quote is not in the sources, so its verdict is withheld."
UNPROVEN = ("No verdict: the model's quote proves too little (a whole sentence of a passage "
            "that speaks to the claim is needed), so its verdict is withheld.")
NOT_SHOWN_ABSENT = ("No verdict: the model found nothing, but passages close to the claim "
                    "are below; read them.")
# A verdict's quote: a whole sentence of its passage, or a clause of at least this many
# words ("Die Gewinner sind nicht" proved a passage "contradicted" its own sentence).
MIN_CLAUSE_WORDS = 8
# The quoted passage must hold at least this share of the claim's content words (through
# the dictionary across languages): a quote from a passage about something else proves
# nothing about the claim.
MIN_SHARED = 0.5
UNJUDGED = "No verdict: the language model gave no usable answer for this claim."
_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


@dataclass(frozen=True)
class CheckedClaim:
    claim: str
    verdict: Verdict | None
    citations: tuple[Citation, ...]
    note: str = ""  # why there is no verdict, where a model was asked

    def to_json(self) -> dict[str, object]:
        return {"claim": self.claim, "verdict": self.verdict,
                "citations": [c.to_json() for c in self.citations]}


@dataclass(frozen=True)
class CheckResult:
    text: str
    claims: tuple[CheckedClaim, ...]
    note: str = NO_VERDICT  # shown above the claims

    def to_json(self) -> dict[str, object]:
        """The `check --json` contract."""
        return {"text": self.text, "claims": [c.to_json() for c in self.claims]}

    def redacted(self, redact: Redactor) -> CheckResult:
        """With every secret taken out of the cited passages."""
        return replace(self, claims=tuple(
            replace(c, citations=tuple(redact.citation(x) for x in c.citations))
            for c in self.claims))


def claims_of(text: str, limit: int = MAX_CLAIMS) -> list[str]:
    """The statements of a text, questions left out, at most `limit` of at most
    MAX_CLAIM_CHARS each (a 20,000-character sentence is not one claim a reader checks)."""
    statements = [s for s in split_sentences(" ".join(text.split()))
                  if len(s.split()) >= 3 and not s.rstrip().endswith("?")]
    return [s if len(s) <= MAX_CLAIM_CHARS else s[: MAX_CLAIM_CHARS - 1].rstrip() + "…"
            for s in statements[:limit]]


@dataclass(frozen=True)
class Reading:
    """A model's verdict on one claim, as it said it (not yet checked)."""

    verdict: Verdict
    passage: int
    quote: str


def parse_reading(reply: str) -> Reading | None:
    match = _OBJECT.search(reply)
    if match is None:
        return None
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("verdict") not in VERDICTS:
        return None
    passage = data.get("passage")
    quote = data.get("quote")
    return Reading(cast(Verdict, data["verdict"]),
                   passage if isinstance(passage, int) else 0,
                   quote if isinstance(quote, str) else "")


# Where a clause begins or ends: a quote cut elsewhere may leave out what decides it
# ("Die Meldepflicht gilt für Kleinstunternehmen" of "... gilt für Kleinstunternehmen
# nicht.").
_CLAUSE_MARKS = ".!?;:,"


def proves(span: str, passage: str) -> bool:
    """Whether a verified quote is enough to rest a verdict on: a whole sentence of the
    passage, or a whole clause of MIN_CLAUSE_WORDS words or more; either way cut where
    the passage's clauses begin and end."""
    start = passage.find(span)
    if start < 0 or not span.strip():
        return False
    before = passage[:start].rstrip()
    after = passage[start + len(span):].lstrip()
    begins = not before or before[-1] in _CLAUSE_MARKS or span.lstrip()[:1] in "\"„“«("
    ends = not after or span.rstrip()[-1] in _CLAUSE_MARKS or after[0] in _CLAUSE_MARKS
    if not (begins and ends):
        return False
    if len(span.split()) >= MIN_CLAUSE_WORDS:
        return True
    within = " ".join(span.split())
    return any(" ".join(sentence.split()) in within
               for sentence in split_sentences(passage) if len(sentence.split()) >= 2)


# How much of a claim a passage speaks to (Retriever.share_found glosses across languages;
# None where the words cannot tell: across languages without a dictionary).
Shared = Callable[[str, PassageHit], "float | None"]


def _words_shared(claim: str, hit: PassageHit) -> float | None:
    """Without a retriever to gloss across languages: the claim's words as they are."""
    return share_found(claim, hit.text)


class ClaimJudge:
    """A model's verdicts, each checked against the passages it was given."""

    def __init__(self, model: BaseChatModel, prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> None:
        self.chain = text_chain("check", {"passages", "claim"}, model, prompts_dir)
        self.translate = Translator(model, prompts_dir)

    def judge(self, text: str, searched: list[tuple[str, Retrieval]],
              shared: Shared = _words_shared) -> tuple[CheckedClaim, ...]:
        """Each claim's verdict with its proof first among its citations, or no verdict
        and its closest passages; the claims asked about at once, the quotes translated
        in one call."""
        asked = run_prompts(self.chain, [
            {"passages": passages_block(found.hits), "claim": neutralise(claim)}
            for claim, found in searched if found.hits], "checking a claim")
        answered = iter(asked)  # a claim with no passage near it is not asked about
        replies = [next(answered) if found.hits else None for _, found in searched]
        checked, n = [], 1
        for (claim, found), reply in zip(searched, replies, strict=True):
            checked.append(self._verdict(claim, found, n, reply, shared))
            n += len(found.hits)
        translated = iter(self.translate([c for claim in checked for c in claim.citations],
                                         text))
        return tuple(replace(claim, citations=tuple(next(translated)
                                                    for _ in claim.citations))
                     for claim in checked)

    @staticmethod
    def _verdict(claim: str, found: Retrieval, first: int, reply: str | None,
                 shared: Shared) -> CheckedClaim:
        hits = found.hits
        closest = cited(found, first)
        reading = parse_reading(reply) if reply is not None else None
        if reading is None:
            if reply is not None:
                log.warning("unusable verdict from the model: %r", reply[:200])
            return CheckedClaim(claim, None, closest, UNJUDGED)
        if reading.verdict == "not_found":
            # "No passage found" only where the search found none the judge would answer
            # from; otherwise the closest passages speak for themselves.
            if found.relevant:
                log.info("withheld a not_found verdict: passages near the claim exist")
                return CheckedClaim(claim, None, closest, NOT_SHOWN_ABSENT)
            return CheckedClaim(claim, "not_found", closest)
        # The passage the model named is tried first; the quote may stand in another.
        order = sorted(range(len(hits)), key=lambda i: i + 1 != reading.passage)
        found_quote = False
        for i in order:
            span = verified_quote(reading.quote, hits[i].text)
            if span is None:
                continue
            found_quote = True
            # The quote itself must speak to the claim, not only the passage around it.
            share = shared(claim, replace(hits[i], text=span))
            # Where words cannot tell, the search must: the claim's closest passage.
            speaks = share >= MIN_SHARED if share is not None else i == 0
            if not proves(span, hits[i].text) or not speaks:
                continue
            proof = replace(closest[i], quote=span)
            rest = [c for j, c in enumerate(closest) if j != i]
            return CheckedClaim(claim, reading.verdict, tuple(
                replace(c, n=first + k) for k, c in enumerate([proof, *rest])))
        log.info("withheld a %s verdict: its quote %r %s", reading.verdict,
                 reading.quote[:200], "proves too little" if found_quote
                 else "is in no passage given")
        return CheckedClaim(claim, None, closest, UNPROVEN if found_quote else WITHHELD)


def check_claims(retriever: Retriever, text: str, judge: ClaimJudge | None = None,
                 max_claims: int = MAX_CLAIMS) -> CheckResult:
    searched = [(claim, retriever.search(claim, k=PASSAGES_PER_CLAIM))
                for claim in claims_of(text, max_claims)]
    if judge is not None:
        return CheckResult(text, judge.judge(text, searched, retriever.share_found),
                           MODEL_VERDICTS)
    checked, n = [], 1
    for claim, found in searched:
        checked.append(CheckedClaim(claim, None, cited(found, n)))
        n += len(found.hits)
    return CheckResult(text, tuple(checked), NO_VERDICT)


def cited(found: Retrieval, first: int) -> tuple[Citation, ...]:
    """A claim's closest passages as citations, numbered on from `first` (the numbers run
    through all the claims of a text)."""
    return tuple(cite(first + i, hit, found.asked) for i, hit in enumerate(found.hits))
