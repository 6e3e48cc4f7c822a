"""Provisions a question cites by number ("Article 14", "§ 3 Absatz 2"), looked up in
the catalogue: their passages in the order they answer, each quoted from its start."""

from __future__ import annotations

import re
from dataclasses import replace

from knowledge.index.state import KnowledgeState
from knowledge.search.candidates import CandidateSearch, QuestionVectors
from knowledge.search.passage_sentences import first_sentence, sentences_of
from knowledge.search.ranking import first_of_each_document
from knowledge.search.references import Reference, unit_of
from knowledge.search.results import PassageHit

# Passages of one provision read per document when a question cites it by number (an
# article of 25 paragraphs, an annex, a chapter): the first in document order.
MAX_PROVISION_PASSAGES = 40


def cited_passages(candidates: CandidateSearch, state: KnowledgeState,
                   references: list[Reference], scope: frozenset[str],
                   asked: QuestionVectors, found: list[PassageHit],
                   ) -> tuple[list[PassageHit], bool]:
    """The passages of the provisions a question cites by number, in the order they
    answer it: each provision's paragraph asked for, or its opening, then its other
    passages by similarity. Also whether the documents in scope number such
    provisions but hold none of these ("Article 99" of an act of 71)."""
    question = asked.of(asked.query)
    by_id = {hit.id: hit for hit in found}
    leading: list[PassageHit] = []
    following: list[PassageHit] = []
    numbered = False
    for language in asked.languages:
        provisions = candidates.catalogues.catalogue(state, language).provisions
        numbered |= any(reference.kind in provisions.kinds.get(source, set())
                        for reference in references
                        for source in (scope or provisions.kinds))
        for reference in references:
            places = provisions.cited(reference, scope, MAX_PROVISION_PASSAGES)
            missing = [place.passage_id for place in places if place.passage_id not in by_id]
            records = {record.passage_id: record for record in candidates.store.get_passages(
                state.collection, missing, language, question.vector)}
            # Their scores do not matter: cited_first gives them their order.
            for hit in candidates.fuse(records, [], question.offsets[language],
                                       question.ranking[language], question.ranking):
                by_id[hit.id] = hit
            pairs = [(by_id[place.passage_id], place.exact) for place in places
                     if place.passage_id in by_id]
            hits = [hit for hit, _ in pairs]
            # The paragraph asked for; else each act's opening ("Artikel 14 der
            # Verordnung" is an article in each act).
            opening = [hit for hit, exact in pairs if exact] or first_of_each_document(hits)
            following += [hit for hit in hits if hit not in opening]
            # Quoted from its start: the provision's own statement, not the sentence
            # that happens to resemble "What does Article 14 say?".
            leading += [replace(hit, sentence=opening_sentence(hit, reference.paragraph),
                                matched=(), sentence_similarity=hit.similarity)
                        for hit in opening]
    following.sort(key=lambda hit: (-hit.similarity, hit.id))
    first: dict[str, PassageHit] = {}
    for hit in [*leading, *following]:
        first.setdefault(hit.id, hit)  # a passage two of the references hold, once
    return list(first.values()), numbered and not first


def opening_sentence(hit: PassageHit, paragraph: int) -> str:
    """The sentence that opens a passage's paragraph `paragraph` where the passage holds
    several ("1. ... 2. It shall apply from ...", or definitions run together, numbered
    only in the heading path), else its first sentence."""
    if paragraph:
        number = re.compile(rf"\(?{paragraph}[.)]\s")
        found = next((sentence for sentence in sentences_of(hit.text) if number.match(sentence)),
                     "") or unit_of(hit.text, hit.section, paragraph)
        if found:
            return found
    return first_sentence(hit.text)
