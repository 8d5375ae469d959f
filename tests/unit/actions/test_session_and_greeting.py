import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.context import turn_context
from actions.greeting import ActionGreetUser
from actions.session import ActionValidateSlotMappings
from tests.fakes import load_domain, make_tracker, rich_replies


async def test_language_and_channel_slots_follow_the_metadata() -> None:
    tracker = make_tracker(
        metadata={"language": "fr", "channel": "kiosk", "original_text": "bonjour"},
        slots={"language": "en", "channel": "web"},
    )
    events = await ActionValidateSlotMappings().run(CollectingDispatcher(), tracker, load_domain())
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"language": "fr", "channel": "kiosk"}


def test_turn_context_falls_back_to_slots_then_english() -> None:
    assert turn_context(make_tracker(slots={"language": "zh"})).language == "zh"
    context = turn_context(make_tracker())
    assert (context.language, context.reply_language) == ("en", "en")
    french = turn_context(make_tracker(metadata={"language": "fr", "original_text": "salut"}))
    assert (french.reply_language, french.original_text) == ("en", "salut")


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "Hello!"), ("zh", "您好"), ("ru", "Hello!")]
)
async def test_greeting_is_in_the_reply_language(language: str, expected: str) -> None:
    dispatcher = CollectingDispatcher()
    await ActionGreetUser().run(
        dispatcher, make_tracker(metadata={"language": language, "channel": "web"}), {}
    )
    replies = rich_replies(dispatcher)
    assert len(replies) == 1
    assert replies[0]["text"].startswith(expected)
    assert replies[0]["language"] == ("zh" if language == "zh" else "en")
    assert replies[0]["buttons"][0]["payload"] == "/help"


async def test_kiosk_greeting_adds_the_privacy_notice() -> None:
    dispatcher = CollectingDispatcher()
    await ActionGreetUser().run(
        dispatcher, make_tracker(metadata={"language": "zh", "channel": "kiosk"}), {}
    )
    kinds = [r["kind"] for r in rich_replies(dispatcher)]
    assert kinds == ["greeting", "privacy_notice"]


async def test_the_privacy_notice_states_how_long_bookings_are_kept(strings) -> None:
    dispatcher = CollectingDispatcher()
    await ActionGreetUser(retention_days=45).run(
        dispatcher, make_tracker(metadata={"language": "en", "channel": "kiosk"}), {}
    )
    notice = rich_replies(dispatcher)[1]
    assert notice["text"] == strings.get("privacy_notice", "en", days=45)
    assert "{days}" not in notice["text"]
    # The gateway fills the same value into the visitor's own language.
    assert notice["data"] == {"string": "privacy_notice", "string_params": {"days": 45}}
