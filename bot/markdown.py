"""The staff Markdown subset of knowledge answers, parsed into a small structure.

Staff write ``**bold**``, ``*italics*``, ``[title](https://...)`` links, ``-``/``*`` bullet
lists, ``1.`` numbered lists, paragraphs (a blank line) and line breaks; everything else,
HTML included, is text. Telegram (``bot.telegram.rendering``) and the kiosk and widget
(``bot/web/static/markdown.js``) render this one structure, and both are tested against the same
cases (``tests/fixtures/markdown_cases.json``), so an answer looks the same everywhere.

The structure is plain JSON so the JavaScript parser's output compares to it directly:

- a block is ``{"type": "paragraph", "lines": [line, ...]}`` or
  ``{"type": "list", "ordered": bool, "start": int, "items": [line, ...]}``;
- a line is a list of inline pieces: ``["text", s]``, ``["b", s]``, ``["i", s]`` or
  ``["a", title, url]`` (only http(s) URLs become links).
"""

from __future__ import annotations

import re
from typing import Any

Inline = list[str]
Line = list[Inline]
Block = dict[str, Any]

# Keep these three patterns identical to the ones in bot/web/static/markdown.js.
INLINE = re.compile(
    r"\*\*(?P<bold>[^*\n]+?)\*\*"
    r"|\[(?P<title>[^\]\n]+)\]\((?P<url>https?://[^)\s]+)\)"
    r"|\*(?=[^\s*])(?P<italic>[^*\n]+?)(?<=\S)\*"
)
BULLET = re.compile(r"^\s*[-*] (?=\S)")
NUMBERED = re.compile(r"^\s*([0-9]{1,3})[.)] (?=\S)")


def parse_inline(text: str) -> Line:
    """One line's inline pieces; text between them is kept exactly as written."""
    line: Line = []
    position = 0
    for match in INLINE.finditer(text):
        if match.start() > position:
            line.append(["text", text[position : match.start()]])
        if match.group("bold") is not None:
            line.append(["b", match.group("bold")])
        elif match.group("italic") is not None:
            line.append(["i", match.group("italic")])
        else:
            line.append(["a", match.group("title"), match.group("url")])
        position = match.end()
    if position < len(text):
        line.append(["text", text[position:]])
    return line


def parse(text: str) -> list[Block]:
    """The blocks of a Markdown text (see the module docstring for the shape)."""
    blocks: list[Block] = []
    current: Block | None = None
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not raw.strip():
            current = None
            continue
        bullet = BULLET.match(raw)
        numbered = None if bullet else NUMBERED.match(raw)
        marker = bullet or numbered
        if marker is not None:
            ordered = numbered is not None
            if current is None or current["type"] != "list" or current["ordered"] != ordered:
                start = int(numbered.group(1)) if numbered else 1
                current = {"type": "list", "ordered": ordered, "start": start, "items": []}
                blocks.append(current)
            current["items"].append(parse_inline(raw[marker.end() :]))
            continue
        if current is None or current["type"] != "paragraph":
            current = {"type": "paragraph", "lines": []}
            blocks.append(current)
        current["lines"].append(parse_inline(raw))
    return blocks


def plain_text(blocks: list[Block]) -> str:
    """What a reader sees, without formatting (tests and length checks use it)."""
    parts: list[str] = []
    for block in blocks:
        lines = block["lines"] if block["type"] == "paragraph" else block["items"]
        parts.append("\n".join("".join(piece[1] for piece in line) for line in lines))
    return "\n\n".join(parts)
