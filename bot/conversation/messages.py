"""What flows through the conversation service: one message in, a turn of replies out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Rasa answers natively in these languages; every other language goes through the pivot.
NATIVE_LANGUAGES = frozenset({"en", "zh"})
PIVOT_LANGUAGE = "en"
# Replies made of the knowledge base alone (an entry's answer, a quoted passage, "did you
# mean" with entry titles, an expired policy's notice): the same for every user and never
# holding a user's data, so their translations may be kept and shared (bot/language/
# reply_memory.py). Bookings, handoffs and the rest can quote what a user typed.
SHARED_REPLY_KINDS = frozenset({"knowledge_answer", "passage_answer", "not_sure", "policy_expired"})
# Marks a custom payload from an action as a rich reply (see actions/replies.py).
RICH_REPLY_MARKER = "talentdesk"
# In a reply's data: the interface-string key its text came from, so the gateway can show the
# hand-written string in the user's language instead of translating the English one.
STRING_KEY = "string"
# In a reply's data: the values of the key's ``{placeholders}``, filled in whichever language
# the gateway shows: plain values read the same in every language (codes, counts, 09:30);
# typed ones (a date, another key, opening hours) are written per language, see
# bot/language/values.py.
STRING_PARAMS = "string_params"


def native_reply_language(language: str) -> str:
    """The language Rasa writes its replies in for a user who speaks ``language``."""
    return language if language in NATIVE_LANGUAGES else PIVOT_LANGUAGE


@dataclass(frozen=True)
class IncomingMessage:
    """A user's message as every channel hands it to the conversation service.

    Attributes:
        user_id: The user's id within the channel (Telegram user id, kiosk session id...).
        channel: ``web``, ``kiosk``, ``telegram`` or ``terminal``.
        text: What the user typed (or the payload of a button they pressed).
        language: The language the user chose explicitly, if any; it wins over detection.
        conversation_id: Set when the user continues a conversation begun elsewhere (a kiosk
            conversation resumed on Telegram through a deep link); otherwise derived.
        message_id: The client's id of this message (the Telegram update id): a message is
            processed once per conversation, and a repeat gets the stored turn.
    """

    user_id: str
    channel: str
    text: str
    language: str | None = None
    conversation_id: str | None = None
    message_id: str | None = None

    @property
    def sender_id(self) -> str:
        """The Rasa conversation id: channels never share one unless a user continues one."""
        return self.conversation_id or f"{self.channel}:{self.user_id}"


@dataclass(frozen=True)
class Button:
    """A button; ``string`` and ``string_params`` name the catalogue key its title came from
    (like a reply's ``STRING_KEY``/``STRING_PARAMS``), so the gateway can show the title in the
    user's language. Channels only ever see the title and payload."""

    title: str
    payload: str
    string: str | None = field(default=None, compare=False)
    string_params: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Source:
    """Where a knowledge answer comes from, shown under the answer."""

    name: str
    url: str | None = None
    last_verified: str | None = None
    entry_id: str | None = None


@dataclass(frozen=True)
class Reply:
    """One bubble of the assistant's answer.

    Attributes:
        text: The text, in ``language``.
        language: The language ``text`` is written in, so nothing is translated twice.
        machine_translated: True when the text was produced by machine translation.
        kind: ``text`` for ordinary replies; actions may set e.g. ``knowledge_answer``.
        data: Extra fields an action sent that channels may render (office, card...).
    """

    text: str
    language: str
    buttons: tuple[Button, ...] = ()
    links: tuple[Link, ...] = ()
    source: Source | None = None
    machine_translated: bool = False
    kind: str = "text"
    notes: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape channels and the web API use."""
        return {
            "text": self.text,
            "language": self.language,
            "kind": self.kind,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
            "links": [{"title": link.title, "url": link.url} for link in self.links],
            "source": None
            if self.source is None
            else {
                "name": self.source.name,
                "url": self.source.url,
                "last_verified": self.source.last_verified,
                "entry_id": self.source.entry_id,
            },
            "machine_translated": self.machine_translated,
            "notes": list(self.notes),
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Reply:
        """The reply :meth:`to_dict` wrote (a stored turn read back)."""
        source = raw.get("source")
        return cls(
            text=raw["text"],
            language=raw["language"],
            buttons=tuple(Button(b["title"], b["payload"]) for b in raw.get("buttons", ())),
            links=tuple(Link(link["title"], link["url"]) for link in raw.get("links", ())),
            source=None if source is None else Source(**source),
            machine_translated=bool(raw.get("machine_translated", False)),
            kind=raw.get("kind", "text"),
            notes=tuple(raw.get("notes", ())),
            data=dict(raw.get("data") or {}),
        )


@dataclass(frozen=True)
class Turn:
    """The assistant's answer to one message."""

    language: str
    replies: list[Reply]

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "replies": [r.to_dict() for r in self.replies]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Turn:
        return cls(raw["language"], [Reply.from_dict(r) for r in raw["replies"]])
