"""The hall services visitors can book, and reading a time of day from what people type."""

from __future__ import annotations

import re

from actions.dates import chinese_number
from actions.interface_strings import interface_string

# key -> the words people use for it. Each service's name is the catalogue string
# ``service_<key>`` (bot/language/data/strings), in every language.
SERVICES: dict[str, dict[str, object]] = {
    "entry_exit": {
        "words": ("entry", "exit", "visa", "residence", "出入境", "签证", "居留"),
    },
    "work_permit": {
        "words": ("work permit", "work", "工作许可", "工作证", "工作"),
    },
    "talent_accreditation": {
        "words": ("talent", "accreditation", "人才"),
    },
    "market_registration": {
        "words": (
            "market",
            "company",
            "business licen",
            "register a business",
            "注册公司",
            "市场",
            "营业执照",
            "公司",
        ),
    },
    "tax": {
        "words": ("tax", "税"),
    },
    "social_insurance": {
        "words": ("social", "insurance", "pension", "社保", "社会保险", "养老"),
    },
}


def service_string(key: str) -> str:
    """The catalogue key of a service's name (``service_work_permit``)."""
    return f"service_{key}"


def service_name(key: str, language: str) -> str:
    return interface_string(service_string(key), language)


def service_of(text: str) -> str | None:
    """The service a user's words name (the first listed whose words match)."""
    lowered = text.lower().strip()
    if lowered in SERVICES:
        return lowered
    for key, service in SERVICES.items():
        if any(str(word) in lowered for word in service["words"]):  # type: ignore[attr-defined]
            return key
    return None


CLOCK = re.compile(r"(\d{1,2})(?:[:：.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")
ZH_CLOCK = re.compile(
    r"(上午|早上|中午|下午|晚上)?\s*(\d{1,2}|[一二两三四五六七八九十]{1,2})[点:：](半|\d{2}|[一二三四五]十)?"
)
ZH_HALF_HOUR = "半"


def time_of(text: str) -> str | None:
    """``HH:MM`` from "9:30", "2pm", "14.00", "下午两点半"; None when there is no time.

    A bare hour from 1 to 7 is read as afternoon: the hall is closed at 1-7 in the morning.
    """
    lowered = text.lower()
    if match := ZH_CLOCK.search(lowered):
        period, hour_text, minute_text = match.groups()
        try:
            hour = chinese_number(hour_text)
            minute = 0
            if minute_text:
                minute = 30 if minute_text == ZH_HALF_HOUR else chinese_number(minute_text)
        except (KeyError, ValueError):  # "两两点": not a time
            return None
        if (period in ("下午", "晚上") and hour < 12) or (period is None and 1 <= hour <= 7):
            hour += 12
        return _checked(hour, minute)
    if match := CLOCK.search(lowered):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = (match.group(3) or "").replace(".", "")
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        elif not suffix and 1 <= hour <= 7:
            hour += 12
        return _checked(hour, minute)
    return None


def _checked(hour: int, minute: int) -> str | None:
    if 0 <= hour < 24 and 0 <= minute < 60:
        return f"{hour:02d}:{minute:02d}"
    return None
