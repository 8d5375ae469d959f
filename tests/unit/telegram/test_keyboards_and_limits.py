from bot.conversation import Button
from bot.telegram.keyboards import (
    CALLBACK_DATA_LIMIT,
    ButtonPayloads,
    language_from_callback,
    language_keyboard,
)
from bot.telegram.rate_limit import Decision, RateLimiter


def test_the_language_menu_lists_all_32_languages_in_their_own_names(registry) -> None:
    keyboard = language_keyboard(registry)
    buttons = [b for row in keyboard.inline_keyboard for b in row]
    assert len(buttons) == 32
    assert all(len(row) <= 3 for row in keyboard.inline_keyboard)
    by_code = {language_from_callback(b.callback_data or ""): b.text for b in buttons}
    assert by_code["zh"] == registry.get("zh").native
    assert by_code["ar"] == registry.get("ar").native
    assert set(by_code) == set(registry.codes)


def test_short_payloads_travel_in_the_callback_and_survive_a_restart() -> None:
    data = ButtonPayloads().encode('/ask_knowledge{"entry_id": "tax-iit"}')
    assert len(data.encode()) <= CALLBACK_DATA_LIMIT
    assert ButtonPayloads().decode(data) == '/ask_knowledge{"entry_id": "tax-iit"}'


def test_long_payloads_get_a_short_id_and_a_forgotten_one_is_unknown() -> None:
    payloads = ButtonPayloads(capacity=2)
    long_payload = '/ask_knowledge{"entry_id": "' + "é" * 60 + '"}'
    first = payloads.encode(long_payload)
    assert len(first.encode()) <= CALLBACK_DATA_LIMIT
    assert payloads.decode(first) == long_payload
    payloads.encode(long_payload + "2")
    payloads.encode(long_payload + "3")
    assert payloads.decode(first) is None  # evicted
    assert ButtonPayloads().decode("k:unknown") is None
    assert ButtonPayloads().decode("garbage") is None
    assert ButtonPayloads().decode("p:") is None


def test_rasa_buttons_become_one_button_per_row() -> None:
    keyboard = ButtonPayloads().keyboard([Button("Tax", "/a"), Button("Visa", "/b")])
    assert keyboard is not None
    assert [[b.text for b in row] for row in keyboard.inline_keyboard] == [["Tax"], ["Visa"]]
    assert ButtonPayloads().keyboard([]) is None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_flood_is_warned_once_then_dropped_and_tokens_come_back() -> None:
    clock = Clock()
    limiter = RateLimiter(burst=3, per_minute=6, clock=clock)  # one token every 10 s
    decisions = [limiter.check("u") for _ in range(6)]
    assert decisions == [Decision.ALLOW] * 3 + [Decision.WARN] + [Decision.DROP] * 2
    assert limiter.check("other") is Decision.ALLOW  # users do not share a bucket
    clock.now = 10.0
    assert limiter.check("u") is Decision.ALLOW
    assert limiter.check("u") is Decision.WARN  # a new flood is warned again
    clock.now = 1000.0
    assert [limiter.check("u") for _ in range(4)] == [Decision.ALLOW] * 3 + [Decision.WARN]
