"""The arrival planner: entry date + purpose of stay -> a dated checklist of the first weeks.

Deadlines follow the national rules the knowledge base explains: accommodation registration
with the police within 24 hours of arrival; for Z visas (work) and R visas (talent) the work
permit within 15 days and the residence permit within 30 days of entry; X1 (study) and S1/Q1
(family) visas the residence permit within 30 days; M/F (business) visas need no permit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn_context
from actions.dates import AmbiguousDate, parse_date
from actions.forms import answer_text, inform_payload
from actions.hall import Clock
from actions.interface_strings import interface_string
from actions.replies import send_reply, send_string, string_button
from bot.language.values import date_param, key_param, lines_param

# An entry date outside this window is almost certainly a typo (or the plan no longer helps).
MAX_DAYS_PAST = 90
MAX_DAYS_AHEAD = 365

PURPOSES: dict[str, dict[str, Any]] = {
    "work": {
        "words": ("work", "job", "employ", "z visa", "z-visa", "工作", "上班", "就业", "z签"),
    },
    "study": {
        "words": (
            "study",
            "student",
            "school",
            "universit",
            "x visa",
            "x1",
            "学习",
            "留学",
            "读书",
            "上学",
            "学生",
        ),
    },
    "family": {
        "words": (
            "family",
            "spouse",
            "wife",
            "husband",
            "child",
            "parent",
            "join",
            "s1",
            "q1",
            "家属",
            "家庭",
            "探亲",
            "团聚",
            "配偶",
            "陪同",
        ),
    },
    "business": {
        "words": ("business", "meeting", "trade", "m visa", "商务", "出差", "经商", "考察"),
    },
    "talent": {
        "words": ("talent", "high-level", "expert", "人才", "专家", "高端"),
    },
}
VISA_PURPOSE = {
    "z": "work",
    "x": "study",
    "x1": "study",
    "s1": "family",
    "q1": "family",
    "s": "family",
    "q": "family",
    "m": "business",
    "f": "business",
    "r": "talent",
}

# Replies with no placeholder are catalogue keys (the gateway shows the user's language).
ASK_AGAIN_DATE = "planner_no_date"
ASK_AGAIN_PURPOSE = "planner_ask_purpose"
# With a number of days as their placeholder (sent as the reply's params).
TOO_OLD = "planner_too_old"
TOO_FAR = "planner_too_far"
# The checklist is one keyed reply: a header and one line per item, each a catalogue key; the
# dates are typed values the gateway writes in the user's language (bot/language/values.py).
WHICH_DATE = "booking_which_date"
DATE_BUTTON = "button_date"
CHECKLIST = "planner_checklist"
HEADER = "planner_checklist_header"
LINE = "planner_checklist_line"
LINE_UNDATED = "planner_checklist_line_undated"
BY = "planner_by"
BY_OVERDUE = "planner_due_overdue"
# Checklist items: catalogue keys ``planner_item_<key>``; purposes: ``purpose_<key>``.
ITEMS = (
    "police_registration",
    "sim_card",
    "bank_account",
    "work_permit",
    "residence_permit",
    "visa_stay",
    "social_insurance",
    "tax",
    "talent_accreditation",
)


def item_string(key: str) -> str:
    return f"planner_item_{key}"


def purpose_string(key: str) -> str:
    return f"purpose_{key}"


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    due: date | None


def build_checklist(entry: date, purpose: str) -> list[ChecklistItem]:
    """The dated checklist for someone entering on ``entry`` for ``purpose``, soonest first."""
    offsets: dict[str, int | None] = {"police_registration": 1, "sim_card": 1, "bank_account": 7}
    if purpose in ("work", "talent"):
        offsets |= {"work_permit": 15, "residence_permit": 30, "social_insurance": 30}
    if purpose in ("study", "family"):
        offsets["residence_permit"] = 30
    if purpose == "business":
        offsets["visa_stay"] = None
    if purpose == "talent":
        offsets["talent_accreditation"] = None
    items = [
        ChecklistItem(key, entry + timedelta(days=days) if days is not None else None)
        for key, days in offsets.items()
    ]
    if purpose in ("work", "talent"):
        items.append(ChecklistItem("tax", date(entry.year + 1, 6, 30)))
    return sorted(items, key=lambda item: (item.due is None, item.due or entry))


def purpose_of(text: str) -> str | None:
    """The purpose a user's words (or a visa letter) describe."""
    lowered = text.lower().strip()
    if lowered in PURPOSES:
        return lowered
    compact = lowered.replace("签证", "").replace("visa", "").replace("字", "").strip(" -")
    if compact in VISA_PURPOSE:
        return VISA_PURPOSE[compact]
    for key, purpose in PURPOSES.items():
        if any(word in lowered for word in purpose["words"]):
            return key
    return None


class ValidateArrivalPlanForm(FormValidationAction):
    """Checks the entry date and purpose, with reasons the user can act on.

    Args:
        clock: The current time in the hall's time zone (injected so tests are exact).
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def name(self) -> str:
        return "validate_arrival_plan_form"

    async def validate_entry_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        language = turn_context(tracker).reply_language
        today = self._clock().date()
        parsed = parse_date(answer_text(value, "entry_date"), today, prefer="nearest")
        if isinstance(parsed, AmbiguousDate):
            first, second = parsed.options
            buttons = [
                string_button(
                    DATE_BUTTON,
                    language,
                    inform_payload("entry_date", day.isoformat()),
                    {"date": date_param(day)},
                )
                for day in parsed.options
            ]
            params: dict[str, object] = {"first": date_param(first), "second": date_param(second)}
            send_string(dispatcher, WHICH_DATE, language, params, buttons=buttons)
            return {"entry_date": None}
        if parsed is None:
            text = interface_string(ASK_AGAIN_DATE, language)
            send_reply(dispatcher, text, language, kind="invalid_answer", string=ASK_AGAIN_DATE)
            return {"entry_date": None}
        if parsed < today - timedelta(days=MAX_DAYS_PAST):
            params = {"days": MAX_DAYS_PAST}
            reason = interface_string(TOO_OLD, language, **params)
            send_reply(
                dispatcher, reason, language, kind="invalid_answer", string=TOO_OLD, params=params
            )
            return {"entry_date": None}
        if parsed > today + timedelta(days=MAX_DAYS_AHEAD):
            params = {"days": MAX_DAYS_AHEAD}
            reason = interface_string(TOO_FAR, language, **params)
            send_reply(
                dispatcher, reason, language, kind="invalid_answer", string=TOO_FAR, params=params
            )
            return {"entry_date": None}
        return {"entry_date": parsed.isoformat()}

    async def validate_stay_purpose(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        purpose = purpose_of(answer_text(value, "stay_purpose"))
        if purpose is None:
            language = turn_context(tracker).reply_language
            text = interface_string(ASK_AGAIN_PURPOSE, language)
            send_reply(dispatcher, text, language, kind="invalid_answer", string=ASK_AGAIN_PURPOSE)
        return {"stay_purpose": purpose}


class ActionArrivalChecklist(Action):
    """Answers the completed form with the dated checklist (reply kind ``checklist``)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_arrival_checklist"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = turn_context(tracker).reply_language
        entry = date.fromisoformat(str(tracker.get_slot("entry_date")))
        purpose = str(tracker.get_slot("stay_purpose"))
        today = self._clock().date()
        header = key_param(
            HEADER, {"date": date_param(entry), "purpose": key_param(purpose_string(purpose))}
        )
        lines: list[object] = []
        items = []
        for item in build_checklist(entry, purpose):
            title = interface_string(item_string(item.key), language)
            overdue = item.due is not None and item.due < today
            if item.due is None:
                lines.append(key_param(LINE_UNDATED, {"item": key_param(item_string(item.key))}))
            else:
                when = key_param(BY_OVERDUE if overdue else BY, {"date": date_param(item.due)})
                lines.append(
                    key_param(LINE, {"item": key_param(item_string(item.key)), "when": when})
                )
            items.append(
                {
                    "key": item.key,
                    "title": title,
                    "due": item.due.isoformat() if item.due else None,
                    "overdue": overdue,
                }
            )
        send_string(
            dispatcher,
            CHECKLIST,
            language,
            {"header": header, "items": lines_param(lines)},
            kind="checklist",
            data={"entry_date": entry.isoformat(), "purpose": purpose, "items": items},
        )
        return [SlotSet("entry_date", None), SlotSet("stay_purpose", None)]
