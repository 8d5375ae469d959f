"""Signing session tokens with the installation's secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from bot.settings import Settings

SECRET_FILE = "session-secret"


def load_or_create_secret(settings: Settings) -> bytes:
    """The session-signing secret: the configured one, or (embedded mode) one generated once
    and kept in ``var/session-secret`` so sessions survive a restart."""
    configured = settings.sessions.secret
    if configured is not None:
        return configured.get_secret_value().encode("utf-8")
    path = settings.var_path / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together cannot write two different secrets.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
    return Path(path).read_text().strip().encode("utf-8")


def sign(secret: bytes, payload: str) -> str:
    """A URL-safe HMAC-SHA256 of ``payload`` (128 bits kept: unforgeable, short)."""
    digest = hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verify(secret: bytes, payload: str, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, payload), signature)
