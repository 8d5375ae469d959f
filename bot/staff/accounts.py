"""Staff accounts with argon2id password hashes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.staff import staff_sessions, staff_users

ROLES = ("staff", "admin")
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256


class StaffError(Exception):
    """A staff account operation that cannot be done (the message says why and how to fix it)."""


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    display_name: str
    role: str
    active: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _user(row: object) -> StaffUser:
    mapping = dict(row._mapping)  # type: ignore[attr-defined]
    return StaffUser(
        id=int(mapping["id"]),
        username=str(mapping["username"]),
        display_name=str(mapping["display_name"]),
        role=str(mapping["role"]),
        active=bool(mapping["active"]),
    )


def check_password_rules(password: str) -> None:
    """Raises StaffError when ``password`` is too short or too long."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise StaffError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise StaffError(f"the password may have at most {MAX_PASSWORD_CHARS} characters")


class StaffAccounts:
    """Creates, checks and disables staff accounts.

    Args:
        engine: The app database.
        hasher: argon2's hasher; its defaults (RFC 9106 low-memory profile) in production,
            cheap parameters in unit tests.
    """

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self._engine = engine
        self._hasher = hasher or PasswordHasher()
        # Verified when the username is unknown, so a wrong name costs as much as a wrong
        # password and the timing does not tell which accounts exist.
        self._dummy_hash = self._hasher.hash("no such account")

    def add_user(
        self, username: str, password: str, role: str = "staff", display_name: str | None = None
    ) -> StaffUser:
        """Creates an account.

        Raises:
            StaffError: a bad username, role or password, or the username is taken.
        """
        username = username.strip().lower()
        if not _USERNAME.match(username):
            raise StaffError(
                "a username is 2-64 characters: lower-case letters, digits, '.', '_' or '-'"
            )
        if role not in ROLES:
            raise StaffError(f"the role must be one of: {', '.join(ROLES)}")
        check_password_rules(password)
        name = (display_name or username).strip()[:120] or username
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(staff_users).values(
                        username=username,
                        display_name=name,
                        role=role,
                        password_hash=self._hasher.hash(password),
                        active=True,
                        created_at=datetime.now(UTC),
                    )
                )
        except IntegrityError as error:
            raise StaffError(f"the username {username!r} is taken") from error
        user = self.get(username)
        assert user is not None
        return user

    def get(self, username: str) -> StaffUser | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(staff_users).where(staff_users.c.username == username.strip().lower())
            ).first()
        return _user(row) if row is not None else None

    def by_id(self, user_id: int) -> StaffUser | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(staff_users).where(staff_users.c.id == user_id)).first()
        return _user(row) if row is not None else None

    def set_password(self, username: str, password: str) -> None:
        """Sets a new password and signs the account out everywhere.

        Raises:
            StaffError: no such account, or the password breaks the rules.
        """
        check_password_rules(password)
        self._change(username, password_hash=self._hasher.hash(password))

    def disable(self, username: str) -> None:
        """Disables the account and ends its sessions (the audit log keeps its name)."""
        self._change(username, active=False)

    def enable(self, username: str) -> None:
        self._change(username, active=True)

    def _change(self, username: str, **values: object) -> None:
        user = self.get(username)
        if user is None:
            raise StaffError(f"there is no staff account {username!r}")
        with self._engine.begin() as connection:
            connection.execute(
                update(staff_users).where(staff_users.c.id == user.id).values(values)
            )
            connection.execute(delete(staff_sessions).where(staff_sessions.c.user_id == user.id))

    def authenticate(self, username: str, password: str) -> StaffUser | None:
        """The active account ``username`` when ``password`` is its password, else None."""
        password = password[:MAX_PASSWORD_CHARS]
        with self._engine.connect() as connection:
            row = connection.execute(
                select(staff_users.c.id, staff_users.c.password_hash, staff_users.c.active).where(
                    staff_users.c.username == username.strip().lower()[:64]
                )
            ).first()
        stored = str(row.password_hash) if row is not None else self._dummy_hash
        try:
            self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.active:
            return None
        if self._hasher.check_needs_rehash(stored):
            # Parameters were raised since this hash was made: upgrade it while we have the text.
            with self._engine.begin() as connection:
                connection.execute(
                    update(staff_users)
                    .where(staff_users.c.id == row.id)
                    .values(password_hash=self._hasher.hash(password))
                )
        return self.by_id(int(row.id))

    def list_users(self) -> list[StaffUser]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(staff_users).order_by(staff_users.c.username)).all()
        return [_user(row) for row in rows]
