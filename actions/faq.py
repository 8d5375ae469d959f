"""Answers single questions from the staff-written knowledge base.

Confident: the entry's answer in the user's language when the entry has it (else English, for
the gateway to translate), with its source and last-verified date. Not confident: no guess; the
closest entries as "did you mean" buttons, how to reach a person, and a record for staff.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.context import TurnContext, turn_context
from actions.feedback import feedback_buttons
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.entry import KnowledgeEntry
from actions.knowledge.index import Hit
from actions.knowledge.text import search_group
from actions.replies import send_reply
from actions.transcript import reply_kinds_since_previous_user_message
from bot.storage.unanswered import UnansweredLog, UnansweredQuestion, now

log = logging.getLogger(__name__)

ENTRY_ENTITY = "entry_id"

NOT_SURE = {
    "en": "I'm not sure I have the right answer to that. Did you mean one of these?",
    "zh": "我不确定能准确回答这个问题。您想问的是下面哪一个？",
}
NO_MATCH = {
    "en": "Sorry, I don't have an answer to that.",
    "zh": "抱歉，我暂时没有这个问题的答案。",
}
OUT_OF_SCOPE = {
    "en": (
        "Sorry, that is outside what I know. I can help with living and working in Changsha: "
        "visas, permits, registration, tax, housing, banking, healthcare and schools."
    ),
    "zh": (
        "抱歉，这超出了我能回答的范围。"
        "我可以解答在长沙工作和生活的问题：签证、许可、登记、个税、租房、银行、医疗和入学。"
    ),
}
REACH_A_PERSON = {
    "en": (
        "A person can help: any counter of the Daze Lake service hall (Monday to Friday "
        "9:00-12:00 and 13:30-17:30), or the Changsha government hotline 12345."
    ),
    "zh": (
        "也可以找工作人员：大泽湖服务大厅任一窗口（周一至周五 9:00-12:00、13:30-17:30），"
        "或拨打长沙政务服务热线 12345。"
    ),
}


STILL_STUCK = {
    "en": "I'm still not getting it, sorry. Would you like to talk to a person?",
    "zh": "抱歉，我还是没能理解。需要联系工作人员吗？",
}
TALK_TO_A_PERSON = {"en": "Talk to a person", "zh": "联系工作人员"}
# Replies that mean the assistant did not understand the previous message.
STUCK_KINDS = frozenset({"not_sure", "did_you_mean"})


def was_stuck_before(tracker: Tracker) -> bool:
    """True when the assistant did not understand the user's previous message either."""
    return any(kind in STUCK_KINDS for kind in reply_kinds_since_previous_user_message(tracker))


def entry_payload(entry_id: str) -> str:
    """The payload of a button that opens an entry directly."""
    return f'/ask_knowledge{{"{ENTRY_ENTITY}": "{entry_id}"}}'


class ActionAnswerFromKnowledge(Action):
    """Answers from the knowledge base, or says it is not sure.

    Args:
        knowledge: The live knowledge base.
        unanswered: Where questions it could not answer are recorded.
        thresholds: Minimum confidence per search group (``en``, ``zh``, ``other``; see
            :func:`actions.knowledge.text.search_group`).
        suggestions: How many "did you mean" entries to offer.
    """

    def __init__(
        self,
        knowledge: KnowledgeBase,
        unanswered: UnansweredLog,
        thresholds: dict[str, float],
        suggestions: int = 3,
    ) -> None:
        self._knowledge = knowledge
        self._unanswered = unanswered
        self._thresholds = dict(thresholds)
        self._suggestions = suggestions

    def name(self) -> str:
        return "action_answer_from_knowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        requested = next(tracker.get_latest_entity_values(ENTRY_ENTITY), None)
        if requested:
            entry = await asyncio.to_thread(self._knowledge.get, str(requested))
            if entry is not None:
                self._answer(dispatcher, entry, context)
                return []

        query = str((tracker.latest_message or {}).get("text") or "")
        # With no translation package the user's own text arrives here; with one, English.
        language = context.language if query == context.original_text else None
        hits = await asyncio.to_thread(self._knowledge.search, query, self._suggestions, language)
        best = hits[0] if hits else None
        if best is not None and best.confidence >= self._thresholds[search_group(query, language)]:
            self._answer(dispatcher, best.entry, context)
            return []

        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        await asyncio.to_thread(self._record, tracker, context, best, intent)
        self._not_sure(dispatcher, tracker, hits, context, out_of_scope=intent == "out_of_scope")
        return []

    def _answer(
        self, dispatcher: CollectingDispatcher, entry: KnowledgeEntry, context: TurnContext
    ) -> None:
        text, language = entry.answer_in(context.language)
        data: dict[str, Any] = {"entry_id": entry.id, "title": entry.title_in(language)}
        if entry.office is not None:
            data["office"] = entry.office.as_dict(language)
        data["chinese_answer"] = entry.answers["zh"]  # for the printable bilingual card
        send_reply(
            dispatcher,
            text,
            language,
            buttons=feedback_buttons(entry.id, context.reply_language),
            kind="knowledge_answer",
            source={
                "name": entry.source_name,
                "url": entry.source_url,
                "last_verified": entry.last_verified.isoformat(),
                "entry_id": entry.id,
            },
            data=data,
        )

    def _not_sure(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        hits: list[Hit],
        context: TurnContext,
        out_of_scope: bool,
    ) -> None:
        language = context.reply_language
        buttons = self._intent_suggestions(tracker, language)
        hits = [hit for hit in hits if hit.confidence > 0]  # no match at all is not a suggestion
        if hits and not out_of_scope:
            text = NOT_SURE[language]
            buttons += [
                {"title": hit.entry.title_in(language), "payload": entry_payload(hit.entry.id)}
                for hit in hits
            ]
        else:
            text = OUT_OF_SCOPE[language] if out_of_scope else NO_MATCH[language]
        send_reply(dispatcher, text, language, buttons=buttons, kind="not_sure")
        if was_stuck_before(tracker):
            person = [{"title": TALK_TO_A_PERSON[language], "payload": "/request_human"}]
            text = f"{STILL_STUCK[language]} {REACH_A_PERSON[language]}"
            send_reply(dispatcher, text, language, buttons=person, kind="reach_a_person")
        else:
            send_reply(dispatcher, REACH_A_PERSON[language], language, kind="reach_a_person")

    def _intent_suggestions(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        """Other things the user may have meant; the fallback action adds the intents'."""
        return []

    def _record(
        self, tracker: Tracker, context: TurnContext, best: Hit | None, intent: str | None
    ) -> None:
        question = UnansweredQuestion(
            asked_at=now(),
            text=context.original_text[:2000],
            language=context.language,
            channel=context.channel,
            sender_id=tracker.sender_id,
            best_entry_id=best.entry.id if best else None,
            confidence=round(best.confidence, 4) if best else None,
            reason="out_of_scope" if intent == "out_of_scope" else "low_confidence",
        )
        try:
            self._unanswered.record(question)
        except SQLAlchemyError:  # the user still gets an answer if the database is down
            log.exception("could not record an unanswered question")
