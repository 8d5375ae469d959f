"""Replies as Telegram HTML messages, split at Telegram's length limit.

Everything that comes from a user or an answer is escaped with :func:`html.escape`; the only
tags in a message are the few this module writes itself (``b``, ``i``, ``a``), and each one
opens and closes within one segment, so a split never cuts through markup.

Knowledge answers are written by staff in a small Markdown subset (``knowledge/README.md``),
parsed by :mod:`bot.markdown` (the kiosk renders the same structure): bold, italics, links and
lists become Telegram formatting; any other character, HTML included, is shown as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot import markdown
from bot.conversation import Reply
from bot.language.strings import StringCatalogue

# Telegram's limit for a message text. It is counted after entity parsing; counting the HTML
# source in UTF-16 code units (as Telegram counts) is stricter, so every piece is accepted.
MESSAGE_LIMIT = 4096

# Preferred break points, best first: a line end, a sentence end, a space.
_SENTENCE_END = re.compile(r"[.!?。！？；;](?=\s|$)|[。！？；]")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Segment:
    """A run of text with one style: plain, ``b``, ``i`` or a link (``href``)."""

    text: str
    tag: str | None = None
    href: str | None = None

    def markup(self, text: str | None = None) -> str:
        escaped = html.escape(self.text if text is None else text, quote=False)
        if self.href is not None:
            return f'<a href="{html.escape(self.href, quote=True)}">{escaped}</a>'
        if self.tag is not None:
            return f"<{self.tag}>{escaped}</{self.tag}>"
        return escaped

    @property
    def overhead(self) -> int:
        """The length the tags add around the text."""
        return utf16_len(self.markup("")) if self.text else 0


# One line of a message: segments shown next to each other.
Line = list[Segment]


def utf16_len(text: str) -> int:
    """Telegram counts lengths in UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _safe_url(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) else None


def _segment(piece: list[str]) -> Segment:
    kind = piece[0]
    if kind == "a":
        return Segment(piece[1], href=_safe_url(piece[2]))
    return Segment(piece[1], None if kind == "text" else kind)


def markdown_lines(text: str) -> list[Line]:
    """Staff Markdown as Telegram lines: a blank line between blocks, lists as bullets."""
    lines: list[Line] = []
    for block in markdown.parse(text):
        if lines:
            lines.append([])
        if block["type"] == "paragraph":
            lines.extend([_segment(piece) for piece in line] for line in block["lines"])
            continue
        for number, item in enumerate(block["items"], start=block["start"]):
            marker = f"{number}. " if block["ordered"] else "• "
            lines.append([Segment(marker), *(_segment(piece) for piece in item)])
    return lines


def reply_lines(reply: Reply, strings: StringCatalogue, chrome_language: str) -> list[Line]:
    """The lines of one reply: the text, then source, machine-translation note, notes, links.

    Args:
        reply: The reply to show.
        strings: Interface strings for the labels.
        chrome_language: The language of the labels (the conversation's language).
    """
    lines = markdown_lines(reply.text) if reply.text else []
    extra: list[Line] = []
    if reply.source is not None and reply.source.name:
        label = strings.get("source", chrome_language)
        source: Line = [Segment(f"{label}: ", "i")]
        url = _safe_url(reply.source.url)
        source.append(Segment(reply.source.name, href=url) if url else Segment(reply.source.name))
        if reply.source.last_verified:
            checked = strings.get("last_verified", chrome_language, date=reply.source.last_verified)
            source.append(Segment(f" · {checked}", "i"))
        extra.append(source)
    if reply.machine_translated:
        extra.append([Segment(strings.get("machine_translated", chrome_language), "i")])
    extra.extend([Segment(note, "i")] for note in reply.notes if note)
    for link in reply.links:
        url = _safe_url(link.url)
        if url:
            extra.append([Segment(link.title or url, href=url)])
    if extra and lines:
        lines.append([])  # a blank line between the answer and what is said about it
    return lines + extra


def _break_point(text: str) -> int:
    """Where to cut ``text`` (which is too long): after a line end, a sentence end or a space;
    never inside a word unless the text has no other break at all."""
    newline = text.rfind("\n")
    if newline > len(text) // 3:
        return newline + 1
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if sentence_ends and sentence_ends[-1] > len(text) // 3:
        return sentence_ends[-1]
    spaces = [m.end() for m in _SPACE.finditer(text)]
    if spaces and spaces[-1] > 0:
        return spaces[-1]
    if sentence_ends:
        return sentence_ends[-1]
    return len(text)


def _longest_prefix(segment: Segment, text: str, budget: int) -> int:
    """The length of the longest prefix of ``text`` whose markup fits ``budget``."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if utf16_len(segment.markup(text[:middle])) <= budget:
            low = middle
        else:
            high = middle - 1
    return max(low, 1)


def _pieces(line: Line, limit: int) -> Iterator[str]:
    """A line as markup pieces of at most ``limit``; concatenated they make the whole line."""
    whole = "".join(segment.markup() for segment in line)
    if utf16_len(whole) <= limit:
        yield whole
        return
    for segment in line:
        text = segment.text
        while text:
            if utf16_len(segment.markup(text)) <= limit:
                yield segment.markup(text)
                break
            prefix = text[: _longest_prefix(segment, text, limit)]
            cut = _break_point(prefix)
            yield segment.markup(text[:cut])
            text = text[cut:]


def split_message(lines: list[Line], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Packs lines into as few messages as fit ``limit``, splitting between lines first, then
    between sentences or words. No message is empty; markup is never cut."""
    messages: list[str] = []
    current = ""
    for number, line in enumerate(lines):
        for index, piece in enumerate(_pieces(line, limit)):
            separator = "\n" if number and index == 0 else ""
            if utf16_len(current + separator + piece) <= limit:
                current += separator + piece
            else:
                messages.append(current)
                current = piece
    messages.append(current)
    return [message.strip() for message in messages if message.strip()]


def render_reply(
    reply: Reply, strings: StringCatalogue, chrome_language: str, limit: int = MESSAGE_LIMIT
) -> list[str]:
    """The HTML messages that show ``reply`` (one, or more when it is long)."""
    return split_message(reply_lines(reply, strings, chrome_language), limit)
