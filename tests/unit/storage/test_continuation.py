from datetime import UTC, datetime, timedelta

import pytest

from bot.storage.continuation import Continuation, ContinuationTokens
from bot.storage.database import create_database_engine, ensure_schema

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


@pytest.fixture
def tokens(tmp_path) -> ContinuationTokens:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'app.db'}")
    ensure_schema(engine)
    return ContinuationTokens(engine, lifetime=timedelta(minutes=30))


def test_a_token_is_redeemed_once_for_its_conversation_and_language(tokens) -> None:
    token = tokens.issue("kiosk:abc", "fr", now=NOW)
    assert len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
    assert tokens.redeem(token, "telegram:42", now=NOW) == Continuation("kiosk:abc", "fr")
    assert tokens.redeem(token, "telegram:43", now=NOW) is None


def test_an_expired_or_unknown_token_is_refused(tokens) -> None:
    token = tokens.issue("kiosk:abc", "en", now=NOW)
    assert tokens.redeem(token, "telegram:42", now=NOW + timedelta(minutes=31)) is None
    assert tokens.redeem("no-such-token", "telegram:42", now=NOW) is None


def test_tokens_are_unique(tokens) -> None:
    assert len({tokens.issue("kiosk:abc", "en", now=NOW) for _ in range(20)}) == 20
