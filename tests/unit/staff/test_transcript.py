"""The transcript staff read: bot lines as the visitor saw them, with the assistant's words."""

from datetime import UTC, datetime

from rasa_sdk import Tracker

from actions.transcript import transcript
from bot.staff.transcript import staff_transcript
from bot.storage.handoffs import HandoffRequest


def request_with(lines: list[dict], language: str = "fr") -> HandoffRequest:
    return HandoffRequest(
        id=1,
        created_at=datetime.now(UTC),
        sender_id="kiosk:a",
        channel="kiosk",
        language=language,
        transcript=lines,
        status="open",
        during_opening_hours=True,
        message=None,
    )


def test_the_tracker_s_bot_lines_keep_the_interface_string_they_showed() -> None:
    notice = {
        "text": "kept for 30 days",
        "language": "en",
        "kind": "privacy_notice",
        "data": {"string": "privacy_notice", "string_params": {"days": 30}},
    }
    events = [
        {"event": "user", "text": "/greet", "timestamp": 1.0},
        {"event": "bot", "text": None, "data": {"custom": notice}, "timestamp": 2.0},
    ]
    tracker = Tracker("kiosk:a", {}, {}, events, False, None, {}, "")
    [_, line] = transcript(tracker)
    assert line == {
        "role": "bot",
        "text": "kept for 30 days",
        "at": 2.0,
        "language": "en",
        "string": "privacy_notice",
        "string_params": {"days": 30},
    }


def test_staff_read_what_the_visitor_saw_beside_what_the_assistant_wrote(strings) -> None:
    english = strings.get("privacy_notice", "en", days=30)
    lines = [
        {"role": "user", "text": "/greet"},
        {"role": "user", "text": "Bonjour", "rendering": "Hello"},
        {
            "role": "bot",
            "text": english,
            "string": "privacy_notice",
            "string_params": {"days": 30},
        },
        {"role": "bot", "text": "An answer from the knowledge base."},
        {"role": "bot", "text": "x", "string": "no_such_key"},
    ]
    shown = staff_transcript(request_with(lines), strings)
    assert shown == [
        {"role": "user", "text": "Bonjour", "rendering": "Hello"},
        {"role": "bot", "text": strings.get("privacy_notice", "fr", days=30), "rendering": english},
        {"role": "bot", "text": "An answer from the knowledge base.", "rendering": None},
        {"role": "bot", "text": "x", "rendering": None},
    ]
    assert "{days}" not in shown[1]["text"]
    # A visitor who reads English saw the assistant's words as they are.
    [line] = staff_transcript(request_with(lines[2:3], "en"), strings)
    assert line == {"role": "bot", "text": english, "rendering": None}
