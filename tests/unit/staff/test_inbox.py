"""The inbox's rules and the conversation service's routing of held conversations."""

import asyncio

import pytest

from bot.conversation import ConversationService, IncomingMessage
from bot.conversation.handoff import BACK_TO_ASSISTANT
from bot.conversation.messages import Reply
from bot.notify import REQUEST_STATUS, STAFF_REPLY, USER_MESSAGE, Notice
from bot.staff import StaffAudit
from bot.staff.inbox import HandoffInbox, InboxError
from bot.storage.handoffs import HandoffQueue
from tests.fakes import FakeRasaClient


class TaggingLanguageLayer:
    """A deterministic stand-in for machine translation: "[fr] text"."""

    def identify(self, text: str, current: str | None) -> str:
        return current or "en"

    async def to_pivot(self, text: str, language: str) -> str:
        return f"[en] {text}"

    async def localize(self, replies: list[Reply], language: str) -> list[Reply]:
        return [
            Reply(f"[{language}] {reply.text}", language, machine_translated=True)
            for reply in replies
        ]

    async def localize_all(self, replies: list[Reply], language: str) -> list[Reply]:
        return await self.localize(replies, language)


@pytest.fixture
def inbox(engine, strings) -> HandoffInbox:
    return HandoffInbox(engine, TaggingLanguageLayer(), strings, StaffAudit(engine))


def open_request(engine, sender_id: str = "kiosk:abc", language: str = "fr") -> int:
    return HandoffQueue(engine).open_request(
        sender_id=sender_id,
        channel=sender_id.split(":")[0],
        language=language,
        transcript=[{"role": "user", "text": "Je veux parler", "rendering": "I want to talk"}],
        during_opening_hours=True,
    )


def test_two_staff_cannot_take_the_same_request(engine, inbox) -> None:
    request_id = open_request(engine)
    assert inbox.take(request_id, "li.wei")
    assert not inbox.take(request_id, "wang.fang")
    item = inbox.get(request_id)
    assert (item.request.status, item.staff) == ("taken", "li.wei")


def test_concurrent_takes_have_exactly_one_winner(engine, inbox) -> None:
    request_id = open_request(engine)

    async def race() -> list[bool]:
        names = [f"staff{i}" for i in range(8)]
        return await asyncio.gather(*(asyncio.to_thread(inbox.take, request_id, n) for n in names))

    assert sorted(asyncio.run(race())) == [False] * 7 + [True]


async def test_a_reply_is_stored_in_the_users_language_until_delivered(engine, inbox) -> None:
    request_id = open_request(engine)
    with pytest.raises(InboxError):  # not taken yet
        await inbox.reply(request_id, "li.wei", "你好", "zh")
    inbox.take(request_id, "li.wei")
    with pytest.raises(InboxError):
        await inbox.reply(request_id, "wang.fang", "你好", "zh")
    message = await inbox.reply(request_id, "li.wei", "你好，请到3号窗口", "zh")
    assert (message.text, message.language) == ("你好，请到3号窗口", "zh")
    assert (message.rendering, message.rendering_language) == ("[fr] 你好，请到3号窗口", "fr")
    assert message.machine_translated
    reply = message.as_reply(inbox.strings)
    assert (reply.text, reply.language, reply.kind) == ("[fr] 你好，请到3号窗口", "fr", "staff")
    assert reply.buttons[0].payload == BACK_TO_ASSISTANT
    assert reply.buttons[0].title == "Retour à l'assistant"
    assert [m.id for m in inbox.undelivered("kiosk:abc")] == [message.id]
    assert inbox.mark_delivered([message.id]) == 1
    assert inbox.mark_delivered([message.id]) == 0
    assert inbox.undelivered("kiosk:abc") == []


async def test_a_reply_in_the_users_own_language_is_not_translated(engine, inbox) -> None:
    request_id = open_request(engine, "telegram:7", "zh")
    inbox.take(request_id, "li.wei")
    message = await inbox.reply(request_id, "li.wei", "<b>你好</b><script>x()</script>", "zh")
    assert message.rendering is None and not message.machine_translated
    assert message.as_reply(inbox.strings).text == "<b>你好</b><script>x()</script>"
    assert [m.id for m in inbox.undelivered(channel="telegram")] == [message.id]


async def test_bad_replies_are_refused(engine, inbox) -> None:
    request_id = open_request(engine)
    inbox.take(request_id, "li.wei")
    for text, language in (("", "zh"), ("x" * 2001, "zh"), ("hola", "es")):
        with pytest.raises(InboxError):
            await inbox.reply(request_id, "li.wei", text, language)


async def test_a_held_conversation_goes_to_staff_not_to_rasa(
    engine, inbox, strings, registry
) -> None:
    rasa = FakeRasaClient([{"text": "from Rasa"}])
    service = ConversationService(
        rasa, TaggingLanguageLayer(), strings, set(registry.codes), handoffs=inbox
    )
    request_id = open_request(engine, "kiosk:abc")
    message = IncomingMessage("abc", "kiosk", "Merci beaucoup", language="fr")
    assert (await service.handle(message)).replies[0].text.endswith("from Rasa")  # open: Rasa

    inbox.take(request_id, "li.wei")
    turn = await service.handle(message)
    assert turn.replies == []
    assert len(rasa.sent) == 1
    [stored] = inbox.messages(request_id)
    assert (stored.role, stored.text, stored.language) == ("user", "Merci beaucoup", "fr")
    assert stored.rendering == "[en] Merci beaucoup"

    # Someone else's conversation is not affected.
    await service.handle(IncomingMessage("other", "kiosk", "Bonjour", language="fr"))
    assert len(rasa.sent) == 2

    # "Back to the assistant" hands the conversation back; Rasa answers again.
    back = await service.handle(IncomingMessage("abc", "kiosk", BACK_TO_ASSISTANT, language="fr"))
    assert back.replies[0].kind == "handoff_ended"
    assert back.replies[0].text == strings.get("handoff_ended", "fr")
    assert inbox.get(request_id).request.status == "closed"
    assert inbox.get(request_id).closed_at is not None
    await service.handle(message)
    assert len(rasa.sent) == 3


def test_staff_actions_are_audited(engine, inbox) -> None:
    request_id = open_request(engine)
    inbox.take(request_id, "li.wei")
    asyncio.run(inbox.reply(request_id, "li.wei", "hello", "en"))
    inbox.close(request_id, "li.wei")
    entries = StaffAudit(engine).recent()
    assert [(e.actor, e.action, e.detail) for e in entries] == [
        ("li.wei", "close", None),
        ("li.wei", "reply", "hello"),
        ("li.wei", "take", None),
    ]


async def test_a_chinese_reply_to_an_english_visitor_is_translated(engine, inbox) -> None:
    request_id = open_request(engine, "telegram:8", "en")
    inbox.take(request_id, "li.wei")
    message = await inbox.reply(request_id, "li.wei", "请到3号窗口", "zh")
    assert (message.rendering, message.rendering_language) == ("[en] 请到3号窗口", "en")
    assert message.machine_translated


async def test_the_wipe_and_retention_erase_live_handoff_messages(engine, inbox, tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.privacy import ConversationEraser, RasaTrackerEvents, purge_older_than
    from bot.storage.database import create_database_engine
    from tests.unit.privacy.scenario import create_rasa_events_table

    tracker = create_database_engine(f"sqlite:///{tmp_path}/tracker.db")
    create_rasa_events_table(tracker)
    mine, old = open_request(engine, "kiosk:mine"), open_request(engine, "kiosk:old")
    for request_id in (mine, old):
        inbox.take(request_id, "li.wei")
        await inbox.reply(request_id, "li.wei", "PASSPORT-E12345678", "en")
    erased = ConversationEraser(engine, RasaTrackerEvents(tracker)).erase(["kiosk:mine"])
    assert erased.counts["handoff_messages"] == 1
    assert inbox.messages(mine) == [] and len(inbox.messages(old)) == 1
    later = datetime.now(UTC) + timedelta(days=31)
    purged = purge_older_than(engine, RasaTrackerEvents(tracker), 30, now=later)
    assert purged.counts["handoff_messages"] == 1
    assert inbox.messages(old) == []
    tracker.dispose()


async def test_what_the_inbox_writes_is_announced_by_ids_only(engine, inbox) -> None:
    await inbox.notifier.start()
    request_id = open_request(engine)
    with inbox.notifier.subscribe(STAFF_REPLY, USER_MESSAGE, REQUEST_STATUS) as notices:
        assert inbox.take(request_id, "li.wei")
        assert await notices.next(30) == Notice(REQUEST_STATUS, {"request_id": request_id})
        reply = await inbox.reply(request_id, "li.wei", "请到3号窗口", "zh")
        assert await notices.next(30) == Notice(
            STAFF_REPLY,
            {
                "message_id": reply.id,
                "request_id": request_id,
                "sender_id": "kiosk:abc",
                "channel": "kiosk",
            },
        )
        # Recorded from the conversation service's worker thread.
        await asyncio.to_thread(
            inbox.record_user_message, request_id, "kiosk:abc", "kiosk", "Merci", "fr", "Thanks"
        )
        notice = await notices.next(30)
        assert notice is not None and notice.topic == USER_MESSAGE
        assert set(notice.ids) == {"message_id", "request_id"}
