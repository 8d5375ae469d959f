"""The load test's client-side counting: lost and duplicated messages by message id."""

from tests.load.tally import Tally
from tests.load.telegram_users import ChatLog, Turn, split_turns
from tests.telegram_fake import Call


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_message_answered_after_retries_counts_once_with_its_whole_latency() -> None:
    clock = Clock()
    tally = Tally(clock)
    tally.sent("a", "api", "greeting")
    clock.now += 1
    tally.retry("a", "http: HTTP 503")
    clock.now += 2
    tally.replied("a", '["hi"]')
    summary = tally.summary()
    assert (summary["sent"], summary["answered"], summary["lost"]) == (1, 1, 0)
    assert summary["duplicated"] == 0 and summary["retried_messages"] == 1
    assert summary["p50_s"] == 3.0
    assert summary["errors"] == {"http: HTTP 503": 1}


def test_a_second_reply_to_one_id_is_a_duplicate_even_with_the_same_content() -> None:
    tally = Tally(Clock())
    for message_id in ("same", "different", "once"):
        tally.sent(message_id, "websocket", "thanks")
    tally.replied("same", '["welcome"]')
    tally.replied("same", '["welcome"]')
    tally.replied("different", '["welcome"]')
    tally.replied("different", '["sorry?"]')
    tally.replied("once", '["welcome"]')
    summary = tally.summary()
    assert summary["duplicated"] == 2
    assert summary["duplicated_with_different_content"] == 1
    assert summary["duplicated_ids"] == ["different", "same"]


def test_unanswered_and_apologized_messages_are_lost() -> None:
    tally = Tally(Clock())
    for message_id in ("silent", "apologized", "refused"):
        tally.sent(message_id, "telegram", "knowledge_en")
    tally.replied("apologized", "The assistant is unavailable", apology=True)
    tally.give_up("refused", "http: HTTP 500")
    summary = tally.summary()
    assert summary["answered"] == 0 and summary["lost"] == 3
    assert summary["by_channel"]["telegram"]["apologies"] == 1
    assert summary["errors"]["http: HTTP 500"] == 1


def test_a_reply_to_an_id_never_sent_is_an_error_not_an_answer() -> None:
    tally = Tally(Clock())
    tally.replied("ghost", "hello")
    assert tally.summary()["answered"] == 0
    assert tally.errors["reply to an unknown id"] == 1


def test_telegram_calls_split_into_turns_at_each_typing_action() -> None:
    log = ChatLog(update_ids={0: 11, 1: 12})
    log.calls = [
        (0, Call("sendChatAction", {"chat_id": 7}, at=1.0)),
        (0, Call("sendMessage", {"chat_id": 7, "text": "<b>Hi</b> &amp; welcome"}, at=1.5)),
        (0, Call("sendMessage", {"chat_id": 7, "text": "more"}, at=1.6)),
        (1, Call("sendChatAction", {"chat_id": 7}, at=2.0)),
        (1, Call("sendMessage", {"chat_id": 7, "text": "answer"}, at=2.5)),
        (1, Call("sendChatAction", {"chat_id": 7}, at=3.0)),
        (1, Call("sendMessage", {"chat_id": 7, "text": "answer"}, at=3.5)),
    ]
    turns = split_turns(log)
    assert turns[11] == [Turn(["Hi & welcome", "more"], 1.5)]
    assert len(turns[12]) == 2  # the update was answered twice
