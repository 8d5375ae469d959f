"""Answers from a passage of an article when it is more confident than the best Q&A entry,
and quotes one after the entry's answer when it is nearly as close.

The reply quotes the passage trimmed to the sentences that answer, with the best one in bold,
names the document and section, and carries the source and date. A reader whose language the
document is not in gets the same section of the document's translation when there is one (else
the original, which the gateway translates where a package is installed); the Chinese text
always travels beside it in ``data`` so staff can show it at the counter. Channels add the
localized "quoted from the document" note (catalogue key ``quoted_from_document``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge.articles.passages import Passage, answering_sentences
from actions.knowledge.articles.store import PassageHit, PassageIndex
from actions.knowledge.index import Hit
from actions.replies import send_reply

PASSAGE_KIND = "passage_answer"
NATIVE = ("en", "zh")
# Which source answers. A query resembles an entry's question variants (questions, like itself)
# more than any paragraph, so the two sources' similarities and confidences are not on one
# scale: the entry's cosine runs a few hundredths higher for the same relevance. A passage that
# qualifies (confidence > 0: above its floor, lexical agreement, not nearer an out-of-scope
# example) answers unless the best entry leads it by DENSE_GAP or more, where words of the
# question found in the passage but not the entry (an article number, an amount, a name) count
# LEXICAL_CREDIT per unit of coverage against the entry's lead (English and Chinese; the other
# languages have no lexical side). Chosen on the tuning sets (articles_only.yml against the entry
# tuning questions and the out-of-scope ones). With the question variants written in all 32
# languages and more English and Chinese ones, an entry's best variant sits closer to any
# question, so the gap rose from 0.01 to 0.03: English and Chinese article-only questions whose
# reply has the fact 17 -> 23 of 36 (21 before the variants), entry questions taken by a passage
# 3 -> 5 of 308, out-of-scope questions answered from a passage 0 of 238. A question in another
# language meets an entry's variants in its own language and the (English or Chinese) passages
# from afar, so there the passage is weighed against the entry's English and Chinese documents
# only, as before the variants existed (else no passage answered the 9 such tuning questions at
# any gap up to 0.06).
# There, too, an entry that answers confidently (its calibrated threshold, measured against its
# variants in the question's own language) keeps its staff-written answer; a passage answers only
# where no entry would. With the out-of-scope check made against the nearest entry as well as the
# passage (actions/knowledge/articles/store.py), on the tuning sets: other-language article
# questions whose reply has the fact 0.517 of 58 (TF-IDF's top passage 0.276); other-language
# entry questions taken by a passage 7 of 269, none that the entry would have answered (45
# without the confidence rule).
DENSE_GAP = 0.03
LEXICAL_CREDIT = 0.1
# When the entry answers, a passage it leads by less than this is quoted after its answer: the
# question is often about a detail of the entry's topic that only the document gives (an
# article number, a tax bracket, a deadline), and the staff-written answer still comes first.
# Chosen on the tuning sets (entry leads measured as in passage_wins): article questions whose
# reply has the fact 124 -> 135 of 180; entry questions that get a quote after their answer 13
# of 282 (English, Chinese) and 14 of 200 (other languages); out-of-scope questions 0. At 0.06
# and 0.02 the first out-of-scope question got one.
SUPPLEMENT_GAP = {"en": 0.05, "zh": 0.05, "other": 0.015}


def _entry_lead(passage: PassageHit, entry: Hit, group: str) -> float:
    """How far the entry is ahead of the passage, on one scale for both."""
    if group == "other":
        # Passages are English or Chinese, so like is compared with like: the entry's English
        # and Chinese documents, not its variants in the question's own language.
        return entry.native_dense - passage.dense
    return entry.dense - passage.dense - LEXICAL_CREDIT * (passage.lexical - entry.lexical)


def passage_wins(
    passage: PassageHit, entry: Hit | None, group: str, entry_threshold: float
) -> bool:
    """Whether ``passage`` answers rather than ``entry`` (or rather than "not sure");
    ``entry_threshold`` is the confidence at which the entry would answer."""
    if passage.confidence <= 0.0:
        return False
    if entry is None:
        return True
    if group == "other" and entry.confidence >= entry_threshold:
        return False
    return _entry_lead(passage, entry, group) < DENSE_GAP


def passage_adds_to(passage: PassageHit, entry: Hit, group: str) -> bool:
    """Whether ``passage`` is quoted after the answer of ``entry``, which answers."""
    if passage.confidence <= 0.0:
        return False
    return _entry_lead(passage, entry, group) < SUPPLEMENT_GAP[group]


def passage_reference(passage: Passage) -> str:
    """How the unanswered-questions log names a passage (fits its 120-character column)."""
    return f"articles/{passage.document}#{passage.section}"[:120]


def choose_rendering(hit: PassageHit, index: PassageIndex, reader: str) -> Passage:
    """The passage to show: the found one, or the same section in the reader's language (or
    English, the pivot the gateway translates from)."""
    found = hit.passage
    if found.language == reader:
        return found
    for language in (reader, "en") if reader != "en" else ("en",):
        if language == found.language:
            return found
        sibling = index.sibling(found, language)
        if sibling is not None:
            return sibling
    return found


def send_passage_answer(
    dispatcher: CollectingDispatcher,
    hit: PassageHit,
    index: PassageIndex,
    query: str,
    reader: str,
    after_entry: str | None = None,
) -> None:
    """Sends the ``passage_answer`` reply for ``hit`` to a reader of language ``reader``;
    ``after_entry`` names the entry whose answer it follows (see :func:`passage_adds_to`)."""
    shown = choose_rendering(hit, index, reader)
    similarities = (
        index.sentence_similarities(shown, hit.query_vector)
        if hit.query_vector is not None
        else None
    )
    kept, best = answering_sentences(
        shown.text,
        query,
        index.tokenizer,
        similarities=similarities.tolist() if similarities is not None else None,
    )
    separator = "" if shown.language == "zh" else " "
    text = separator.join(
        f"**{sentence}**" if number == best else sentence for number, sentence in enumerate(kept)
    )
    chinese = shown if shown.language == "zh" else index.sibling(shown, "zh")
    if hit.passage.language == "zh":
        chinese = hit.passage
    data: dict[str, Any] = {
        "document": shown.document,
        "title": shown.title,
        "section": shown.section_name,
        "reference": " › ".join([shown.title, *shown.headings]),
        "best_sentence": kept[best] if kept else "",
        "passage": shown.text,
        "found_in": hit.passage.document,
        "confidence": round(hit.confidence, 3),
    }
    if after_entry is not None:
        data["after_entry"] = after_entry
    if chinese is not None and chinese is not shown:
        data["chinese_passage"] = chinese.text  # beside the rendering, for the counter
        data["chinese_reference"] = " › ".join([chinese.title, *chinese.headings])
    send_reply(
        dispatcher,
        text,
        shown.language,
        kind=PASSAGE_KIND,
        source={
            "name": shown.source_name or shown.title,
            "url": shown.source_url or None,
            "last_verified": shown.last_verified.isoformat() if shown.last_verified else None,
        },
        data=data,
    )
