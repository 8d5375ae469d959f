"""Reading the header fields of one entry; each reader raises :class:`Invalid` with the line,
what is wrong and how to fix it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from actions.knowledge.entry import REQUIRED_LANGUAGES, Office, Source

LineOf = Callable[[str], int]


class Invalid(Exception):
    """One problem in a file: its line, what is wrong and how to fix it."""

    def __init__(self, line: int, message: str, fix: str) -> None:
        super().__init__(message)
        self.line, self.message, self.fix = line, message, fix


def sources(header: dict[str, Any], line_of: LineOf) -> tuple[Source, ...]:
    """``source:`` (one name and url) or ``sources:`` (a list of them), at least one."""
    if "source" in header and "sources" in header:
        raise Invalid(
            line_of("sources"),
            "both 'source' and 'sources'",
            "keep one: 'sources:' with a '- name: ... url: ...' item per source",
        )
    key = "sources" if "sources" in header else "source"
    value = header.get(key)
    items = value if isinstance(value, list) else [value]
    if not items:
        items = [None]
    result = []
    for item in items:
        if not isinstance(item, dict) or not str(item.get("name") or "").strip():
            raise Invalid(
                line_of(key),
                "missing source name",
                f"add '{key}:' with 'name:' (the official source or office) and 'url:' (the page"
                " that states the rule)",
            )
        url = item.get("url")
        if url is not None and not re.match(r"^https?://\S+$", str(url)):
            raise Invalid(
                line_of(key),
                f"source url {url!r} is not a web address",
                "write the full address, starting with https://",
            )
        result.append(Source(str(item["name"]).strip(), str(url) if url else None))
    return tuple(result)


def optional_date(header: dict[str, Any], key: str, line_of: LineOf, fix: str) -> date | None:
    """A ``YYYY-MM-DD`` field, or None when absent."""
    value = header.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise Invalid(line_of(key), f"{key} is not a date", fix)
    return value


def required_str(header: dict[str, Any], key: str, line_of: LineOf) -> str:
    value = header.get(key)
    if value is None or not str(value).strip():
        raise Invalid(line_of(key), f"missing field {key!r}", f"add '{key}: ...' to the header")
    return str(value).strip()


def language_map(
    header: dict[str, Any], key: str, line_of: LineOf, languages: frozenset[str]
) -> dict[str, str]:
    value = header.get(key)
    if not isinstance(value, dict):
        raise Invalid(
            line_of(key),
            f"missing or malformed {key!r}",
            f"write '{key}:' with 'en:' and 'zh:' lines under it",
        )
    result: dict[str, str] = {}
    for code, text in value.items():
        if str(code) not in languages:
            raise Invalid(
                line_of(key),
                f"unknown language code {code!r} in {key!r}",
                f"use one of the supported codes: {', '.join(sorted(languages))}",
            )
        if not isinstance(text, str) or not text.strip():
            raise Invalid(line_of(key), f"empty {key!r} for {code!r}", f"write the {key} in {code}")
        result[str(code)] = text.strip()
    for code in REQUIRED_LANGUAGES:
        if code not in result:
            raise Invalid(line_of(key), f"no {code!r} {key}", f"add '{code}: ...' under '{key}:'")
    return result


def questions(
    header: dict[str, Any], line_of: LineOf, languages: frozenset[str]
) -> dict[str, list[str]]:
    value = header.get("questions")
    if not isinstance(value, dict):
        raise Invalid(
            line_of("questions"),
            "missing or malformed 'questions'",
            "write 'questions:' with 'en:' and 'zh:' lists under it",
        )
    result: dict[str, list[str]] = {}
    for code, items in value.items():
        if str(code) not in languages:
            raise Invalid(
                line_of("questions"),
                f"unknown language code {code!r} in 'questions'",
                f"use one of the supported codes: {', '.join(sorted(languages))}",
            )
        if not isinstance(items, list) or not all(isinstance(q, str) and q.strip() for q in items):
            raise Invalid(
                line_of("questions"),
                f"questions for {code!r} must be a list of text",
                "write each question on its own '- ...' line",
            )
        result[str(code)] = [q.strip() for q in items]
    for code in REQUIRED_LANGUAGES:
        if len(result.get(code, [])) < 2:
            raise Invalid(
                line_of("questions"),
                f"fewer than 2 {code!r} questions",
                f"add at least two ways of asking it in {code}",
            )
    return result


def office(header: dict[str, Any], line_of: LineOf) -> Office | None:
    value = header.get("office")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid(
            line_of("office"),
            "'office' must have name, address, hours, phone",
            "see the template in knowledge/README.md",
        )
    parts: dict[str, dict[str, str]] = {}
    for key in ("name", "address", "hours"):
        item = value.get(key) or {}
        if not isinstance(item, dict):
            raise Invalid(
                line_of("office"),
                f"office {key} must have 'en:' and 'zh:'",
                f"write office {key} as en: ... and zh: ... lines",
            )
        parts[key] = {str(k): str(v) for k, v in item.items()}
    phone = value.get("phone")
    return Office(parts["name"], parts["address"], parts["hours"], str(phone) if phone else None)
