"""Answers from a passage of an article when it is more confident than the best Q&A entry.

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
from actions.replies import send_reply

PASSAGE_KIND = "passage_answer"
NATIVE = ("en", "zh")
# A passage answers over an entry it beats by less than this too: entries' question variants
# are phrased like queries, so their confidence runs higher for the same relevance. Chosen on
# the tuning sets (articles_only.yml against the entry tuning questions): 0.1 let 24 of 45
# article-only questions be answered from the documents (20 with the fact) while 11 of 397
# entry questions went to a passage instead; 0.2 cost 26 entry questions for 4 more articles.
PASSAGE_MARGIN = 0.1


def passage_wins(passage_confidence: float, entry_confidence: float, threshold: float) -> bool:
    """Whether the passage answers rather than the entry (or rather than "not sure")."""
    return passage_confidence >= threshold and (
        passage_confidence + PASSAGE_MARGIN > entry_confidence
    )


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
) -> None:
    """Sends the ``passage_answer`` reply for ``hit`` to a reader of language ``reader``."""
    shown = choose_rendering(hit, index, reader)
    kept, best = answering_sentences(shown.text, query, index.tokenizer)
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
