"""Answers single questions from the staff-written knowledge base.

Confident: the entry's answer in the user's language when the entry has it (else English, for
the gateway to translate), with its source and last-verified date; an article passage nearly as
close to the question is quoted after it (``actions.passage_answer``). An entry whose policy has
passed its ``valid_until`` date is never presented as current: the reply says when it ended and
sends the user to the hall, in the user's own language (the interface string catalogue).
Not confident: no guess; the closest entries as "did you mean" buttons, how to reach a person,
and a record for staff.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.context import TurnContext, turn_context
from actions.feedback import feedback_buttons
from actions.interface_strings import interface_string
from actions.knowledge.articles.store import PassageHit
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.entry import KnowledgeEntry
from actions.knowledge.index import Hit
from actions.knowledge.text import search_group
from actions.passage_answer import (
    passage_adds_to,
    passage_reference,
    passage_wins,
    send_passage_answer,
)
from actions.replies import send_reply
from actions.transcript import reply_kinds_since_previous_user_message
from bot.language.strings import StringCatalogue
from bot.storage.unanswered import UnansweredLog, UnansweredQuestion, now

log = logging.getLogger(__name__)

ENTRY_ENTITY = "entry_id"

# The Changsha government hotline that ``reach_a_person`` names is the fact ``tel_city_hotline``
# of knowledge/facts.yml; the catalogue has no facts placeholder, so it is written out in every
# catalogue file (change it there too if the fact changes).
REACH_A_PERSON = "reach_a_person"
# The same, after "I'm still not getting it" (the second message in a row not understood).
STILL_STUCK_REACH_A_PERSON = "still_stuck_reach_a_person"
TALK_TO_A_PERSON = "button_talk_to_person"
# The procedures the "documents" button offers (entries that list a procedure's documents).
DOCUMENT_ENTRIES = (
    "residence-permit-documents",
    "work-permit-documents",
    "talent-accreditation-documents",
)
# Replies that mean the assistant did not understand the previous message.
STUCK_KINDS = frozenset({"not_sure", "did_you_mean"})


def send_reach_a_person(dispatcher: CollectingDispatcher, language: str) -> None:
    """Says how to reach a person (a hall counter, the city hotline), in the user's language."""
    text = interface_string(REACH_A_PERSON, language)
    send_reply(dispatcher, text, language, kind="reach_a_person", string=REACH_A_PERSON)


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
        today: Today's date in the hall's time zone (injected so tests are exact).
        strings: The interface strings (the expired-policy message in every language).
    """

    def __init__(
        self,
        knowledge: KnowledgeBase,
        unanswered: UnansweredLog,
        thresholds: dict[str, float],
        suggestions: int = 3,
        today: Callable[[], date] = date.today,
        strings: StringCatalogue | None = None,
    ) -> None:
        self._today = today
        self._strings = strings or StringCatalogue.load()
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
        if query.startswith("/documents_needed"):  # the kiosk's home button names no procedure
            await asyncio.to_thread(self._which_procedure, dispatcher, context)
            return []
        # With no translation package the user's own text arrives here; with one, English.
        language = context.language if query == context.original_text else None
        hits, passages = await asyncio.to_thread(
            self._knowledge.search_with_passages, query, self._suggestions, language
        )
        best = hits[0] if hits else None
        passage = passages[0] if passages else None
        group = search_group(query, language)
        threshold = self._thresholds[group]
        entry_confidence = best.confidence if best is not None else 0.0
        # A passage answers unless the best entry clearly leads it (see passage_wins). With
        # entries first always, a dropped-in notice never answered: the weak English threshold
        # let a loosely related entry ("opening hours" for "free parking at the hall") go first.
        if passage is not None and passage_wins(passage, best, group, threshold):
            await self._answer_from_passage(dispatcher, tracker, context, query, passage)
            return []
        if best is not None and entry_confidence >= threshold:
            self._answer(dispatcher, best.entry, context)
            # A passage nearly as close follows the answer (a detail the entry may not give);
            # never after a policy that has ended, which the document may still describe.
            current = not best.entry.is_expired(self._today())
            if passage is not None and current and passage_adds_to(passage, best, group):
                send_passage_answer(
                    dispatcher, passage, self._knowledge.passages, query,
                    context.reply_language, after_entry=best.entry.id,
                )  # fmt: skip
            return []

        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        await asyncio.to_thread(self._record, tracker, context, best, intent)
        self._not_sure(dispatcher, tracker, hits, context, out_of_scope=intent == "out_of_scope")
        return []

    def _which_procedure(self, dispatcher: CollectingDispatcher, context: TurnContext) -> None:
        language = context.reply_language
        entries = [self._knowledge.get(entry_id) for entry_id in DOCUMENT_ENTRIES]
        buttons = [
            {"title": entry.title_in(language), "payload": entry_payload(entry.id)}
            for entry in entries
            if entry is not None
        ]
        text = interface_string("documents_which", language)
        send_reply(dispatcher, text, language, buttons=buttons, string="documents_which")

    async def _answer_from_passage(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        context: TurnContext,
        query: str,
        hit: PassageHit,
    ) -> None:
        """Quotes an article passage, and lists the question for staff."""
        send_passage_answer(
            dispatcher, hit, self._knowledge.passages, query, context.reply_language
        )
        # Listed for staff, who may promote a good passage into a Q&A entry.
        question = UnansweredQuestion(
            asked_at=now(),
            text=context.original_text[:2000],
            language=context.language,
            channel=context.channel,
            sender_id=tracker.sender_id,
            best_entry_id=passage_reference(hit.passage),
            confidence=round(hit.confidence, 4),
            reason="passage_answer",
        )
        try:
            await asyncio.to_thread(self._unanswered.record, question)
        except SQLAlchemyError:
            log.exception("could not record a question answered from an article")

    def _answer(
        self, dispatcher: CollectingDispatcher, entry: KnowledgeEntry, context: TurnContext
    ) -> None:
        if entry.is_expired(self._today()):
            self._expired(dispatcher, entry, context)
            return
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

    def _expired(
        self, dispatcher: CollectingDispatcher, entry: KnowledgeEntry, context: TurnContext
    ) -> None:
        """Says the policy has ended (never its old answer) and sends the user to the hall."""
        language = context.language if context.language in self._strings.languages else "en"
        ended = entry.valid_until.isoformat() if entry.valid_until else ""
        text = self._strings.get(
            "policy_expired", language, title=entry.title_in(language), date=ended
        )
        person = [{"title": self._strings.get("button_talk_to_person", language),
                   "payload": "/request_human"}]  # fmt: skip
        send_reply(
            dispatcher, text, language, buttons=person, kind="policy_expired",
            data={"entry_id": entry.id, "valid_until": ended},
        )  # fmt: skip

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
        hits = [hit for hit in hits if hit.related]  # no match at all is not a suggestion
        if hits and not out_of_scope:
            key = "not_sure"
            buttons += [
                {"title": hit.entry.title_in(language), "payload": entry_payload(hit.entry.id)}
                for hit in hits
            ]
        elif out_of_scope:
            key = "out_of_scope"
        else:
            key = "no_answer"
        text = interface_string(key, language)
        send_reply(dispatcher, text, language, buttons=buttons, kind="not_sure", string=key)
        if was_stuck_before(tracker):
            person = [
                {"title": interface_string(TALK_TO_A_PERSON, language), "payload": "/request_human"}
            ]
            key = STILL_STUCK_REACH_A_PERSON
            text = interface_string(key, language)
            send_reply(
                dispatcher, text, language, buttons=person, kind="reach_a_person", string=key
            )
        else:
            send_reach_a_person(dispatcher, language)

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
