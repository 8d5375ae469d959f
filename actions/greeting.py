"""The greeting: written for the user's language and channel."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn_context
from actions.replies import send_reply

GREETING = {
    "en": (
        "Hello! I'm TalentDesk, the assistant of the Daze Lake International Talent Community "
        "service hall. Ask me about visas, work and residence permits, registration, tax, "
        "housing, banking, healthcare, schools or daily life in Changsha."
    ),
    "zh": (
        "您好！我是大泽湖国际人才社区服务大厅的智能助手 TalentDesk。"
        "您可以问我签证、工作许可和居留许可、住宿登记、个税、租房、银行、医疗、子女入学"
        "以及在长沙生活的问题。"
    ),
}
# On the kiosk strangers share one screen: say what happens to the conversation.
KIOSK_PRIVACY = {
    "en": (
        "This kiosk deletes the conversation everywhere when you finish. "
        "Please do not type passport numbers."
    ),
    "zh": "本终端会在您结束后从所有地方删除对话内容，请勿输入护照号码等个人信息。",
}
BUTTONS = {
    "en": [("What can you do?", "/help")],
    "zh": [("你能做什么？", "/help")],
}


class ActionGreetUser(Action):
    """Greets in the user's language; on the kiosk it adds the privacy notice."""

    def name(self) -> str:
        return "action_greet_user"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        language = context.reply_language
        send_reply(
            dispatcher,
            GREETING[language],
            language,
            buttons=[{"title": t, "payload": p} for t, p in BUTTONS[language]],
            kind="greeting",
        )
        if context.channel == "kiosk":
            send_reply(dispatcher, KIOSK_PRIVACY[language], language, kind="privacy_notice")
        return []
