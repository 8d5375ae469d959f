"""Console sign-in: login throttling, signed session tokens (the cookie) and CSRF tokens.

A token is ``<id>.<expiry>.<signature>``: the signature rejects a forged cookie without a
database read; the session's row lets logout, a disabled account or a new password end it.
The CSRF token is an HMAC of the session id: a page of this origin reads it from
``/staff/api/me`` and sends it back in a header; another site can neither read nor forge it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from bot.sessions.signing import sign, verify
from bot.staff.accounts import StaffAccounts, StaffUser
from bot.staff.audit import StaffAudit
from bot.storage.staff import staff_login_failures, staff_sessions

_TOKEN = re.compile(r"^([A-Za-z0-9_-]{32})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})$")
Clock = Callable[[], datetime]


class LoginThrottled(Exception):
    """Too many wrong passwords: the next attempt is allowed after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many wrong passwords; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class StaffSession:
    id: str
    user: StaffUser
    expires_at: datetime


class LoginThrottle:
    """Free attempts first; after ``free_failures`` wrong passwords in a row each next attempt
    waits twice as long as the one before (``base_seconds``, capped at ``max_seconds``)."""

    def __init__(
        self,
        engine: Engine,
        free_failures: int,
        base_seconds: float,
        max_seconds: float,
    ) -> None:
        self._engine = engine
        self._free = free_failures
        self._base = base_seconds
        self._max = max_seconds

    def wait_seconds(self, keys: list[str], now: datetime) -> float:
        """How long the caller must still wait before trying again (0: now)."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(staff_login_failures).where(staff_login_failures.c.key.in_(keys))
            ).all()
        wait = 0.0
        for row in rows:
            if row.failures < self._free:
                continue
            delay = min(self._base * 2 ** (row.failures - self._free), self._max)
            last = row.last_failed_at
            if last.tzinfo is None:  # SQLite returns naive datetimes
                last = last.replace(tzinfo=UTC)
            wait = max(wait, delay - (now - last).total_seconds())
        return wait

    def failed(self, keys: list[str], now: datetime) -> None:
        with self._engine.begin() as connection:
            for key in keys:
                changed = connection.execute(
                    update(staff_login_failures)
                    .where(staff_login_failures.c.key == key)
                    .values(failures=staff_login_failures.c.failures + 1, last_failed_at=now)
                ).rowcount
                if not changed:
                    connection.execute(
                        insert(staff_login_failures).values(key=key, failures=1, last_failed_at=now)
                    )

    def succeeded(self, keys: list[str]) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(staff_login_failures).where(staff_login_failures.c.key.in_(keys))
            )


class StaffAuth:
    """Signs staff in and out and checks their session and CSRF tokens.

    Args:
        engine: The app database.
        accounts: The staff accounts.
        audit: Where sign-ins and failures are recorded.
        secret: The installation's signing secret.
        lifetime: How long a console session lasts.
        throttle: Slows down guessing.
        clock: The current time (tests move it instead of sleeping).
    """

    def __init__(
        self,
        engine: Engine,
        accounts: StaffAccounts,
        audit: StaffAudit,
        secret: bytes,
        lifetime: timedelta,
        throttle: LoginThrottle,
        clock: Clock | None = None,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("the signing secret must have at least 32 characters")
        self._engine = engine
        self.accounts = accounts
        self.audit = audit
        self._secret = secret
        self._lifetime = lifetime
        self._throttle = throttle
        self._clock = clock or (lambda: datetime.now(UTC))

    def login(self, username: str, password: str, address: str) -> tuple[str, StaffSession]:
        """A new session token when the password is right.

        Raises:
            LoginThrottled: too many wrong passwords lately (the password is not even checked).
            PermissionError: wrong username or password, or a disabled account.
        """
        now = self._clock()
        name = username.strip().lower()[:64]
        keys = [f"user:{name}", f"ip:{address[:100]}"]
        wait = self._throttle.wait_seconds(keys, now)
        if wait > 0:
            raise LoginThrottled(max(1, int(wait + 0.999)))
        user = self.accounts.authenticate(name, password)
        if user is None:
            self._throttle.failed(keys, now)
            self.audit.record(name or "?", "login_failed", detail=f"from {address}", now=now)
            raise PermissionError("wrong username or password")
        self._throttle.succeeded(keys)
        session_id = secrets.token_urlsafe(24)
        expires_at = (now + self._lifetime).replace(microsecond=0)
        with self._engine.begin() as connection:
            connection.execute(
                insert(staff_sessions).values(
                    id=session_id, user_id=user.id, created_at=now, expires_at=expires_at
                )
            )
        self.audit.record(user.username, "login", detail=f"from {address}", now=now)
        payload = f"staff.{session_id}.{int(expires_at.timestamp())}"
        token = f"{session_id}.{int(expires_at.timestamp())}.{sign(self._secret, payload)}"
        return token, StaffSession(session_id, user, expires_at)

    def check(self, token: str | None) -> StaffSession | None:
        """The live session of an active account that ``token`` names, else None."""
        match = _TOKEN.match(token or "")
        if match is None:
            return None
        session_id, expiry, signature = match.groups()
        if not verify(self._secret, f"staff.{session_id}.{expiry}", signature):
            return None
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
        if expires_at <= self._clock():
            return None
        with self._engine.connect() as connection:
            row = connection.execute(
                select(staff_sessions.c.user_id).where(staff_sessions.c.id == session_id)
            ).first()
        if row is None:
            return None
        user = self.accounts.by_id(int(row.user_id))
        if user is None or not user.active:
            return None
        return StaffSession(session_id, user, expires_at)

    def logout(self, session: StaffSession) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(staff_sessions).where(staff_sessions.c.id == session.id))
        self.audit.record(session.user.username, "logout", now=self._clock())

    def csrf_token(self, session: StaffSession) -> str:
        return sign(self._secret, f"csrf.{session.id}")

    def csrf_ok(self, session: StaffSession, token: str | None) -> bool:
        return bool(token) and verify(self._secret, f"csrf.{session.id}", token or "")

    def purge_expired(self) -> int:
        with self._engine.begin() as connection:
            return connection.execute(
                delete(staff_sessions).where(staff_sessions.c.expires_at <= self._clock())
            ).rowcount
