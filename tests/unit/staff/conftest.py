"""Staff services over a temporary SQLite database, with cheap argon2 parameters."""

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from bot.staff import StaffAccounts, StaffAudit, StaffAuth
from bot.staff.auth import LoginThrottle
from bot.storage.database import create_database_engine, ensure_schema

# Real argon2id, with parameters small enough for many hashes per test.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
SECRET = b"s" * 40


class Clock:
    """A clock tests move by hand (throttling is tested without waiting)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def engine(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def accounts(engine) -> StaffAccounts:
    return StaffAccounts(engine, CHEAP_HASHER)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(engine, accounts, clock) -> StaffAuth:
    throttle = LoginThrottle(engine, free_failures=5, base_seconds=2, max_seconds=60)
    return StaffAuth(
        engine, accounts, StaffAudit(engine), SECRET, timedelta(hours=12), throttle, clock
    )
