"""What machine translation must not change: URLs, e-mail addresses, phone numbers, numbers
with units, dates and times, addresses, Chinese names, and the official terms of the glossary.

A text is cut into parts, protected or not. The translator first tries placeholders (``[1]``,
``[2]``...) in place of the protected parts so the model sees whole sentences; each placeholder
must come back exactly once, or the text is translated part by part, the protected parts never
going through the model at all. Either way URLs and phone numbers survive whatever the model does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import ConfigurationError

GLOSSARY_PATH = Path(__file__).parent / "glossary.yml"

_NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_PATTERNS = [
    # URLs and e-mail addresses (trailing sentence punctuation is not part of them)
    r"(?:https?://|www\.)[^\s<>()\"'，。]+[^\s<>()\"'，。.,;:!?]",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    # bare domain names: nia.gov.cn, www12345.changsha.gov.cn/path
    r"\b(?:[A-Za-z0-9-]+\.)+(?:cn|com|org|net|edu|gov|int|io)\b(?:/[^\s<>()\"'，。]*[^\s<>()\"'，。.,;:!?])?",
    # dates and times: 2026-11-20, 20/11/2026, 2026年11月20日, 9:00-12:00
    r"\d{4}-\d{1,2}-\d{1,2}",
    r"\d{1,2}/\d{1,2}/\d{2,4}",
    r"\d{4}年(?:\d{1,2}月)?(?:\d{1,2}日)?",
    r"\d{1,2}:\d{2}(?:\s?[-–]\s?\d{1,2}:\d{2})?",
    # phone numbers: +86 731 1234 5678, 0731-12345, (0731) 8888 8888, 138 0000 0000
    r"\+?\(?\d{2,4}\)?(?:[ -]\d{2,5}){1,4}(?![\d:])",
    # money and measures: RMB 400, ¥ 1,000, 400 yuan, 3.5 km, 90%
    rf"(?:RMB|CNY|USD|EUR|¥|\$|€)\s?{_NUMBER}",
    rf"{_NUMBER}\s?(?:yuan|RMB|CNY|元|%|km|kg|cm|mm|m²|sqm|MB|GB)(?!\w)",
    # street addresses: No. 8 Jinxing Road, 88 Renmin Middle Road
    r"(?:No\.\s?)?\d+[A-Z]?,?\s(?:[A-Z][a-z]+\s){1,3}(?:Road|Street|Avenue|Lane|Rd|St|Ave)\b",
    # any other number, and runs of Chinese characters (names, addresses, 调休)
    _NUMBER,
    r"[\u3400-\u4dbf\u4e00-\u9fff][\u3400-\u4dbf\u4e00-\u9fff\d·]*",
]
_PROTECTED = re.compile("|".join(f"(?:{pattern})" for pattern in _PATTERNS))
# Text written in Chinese (a staff reply) is the very thing to translate: its runs of Chinese
# characters are not names to keep.
_PROTECTED_IN_CHINESE = re.compile("|".join(f"(?:{pattern})" for pattern in _PATTERNS[:-1]))
# Models sometimes space out what they copy ("[ 1 ]"): accept that on the way back.
PLACEHOLDER = re.compile(r"\[\s?(\d{1,3})\s?\]")


@dataclass(frozen=True)
class Part:
    """A piece of text; a protected piece is written as ``output`` in the translation."""

    text: str
    protected: bool = False
    output: str = ""


@dataclass(frozen=True)
class GlossaryTerm:
    zh: str
    en: str
    names: dict[str, str] = field(default_factory=dict)

    def name_in(self, language: str) -> str | None:
        return {"zh": self.zh, "en": self.en, **self.names}.get(language)


class Glossary:
    """The official terms of ``glossary.yml``."""

    def __init__(self, terms: list[GlossaryTerm]) -> None:
        self.terms = terms

    @classmethod
    def load(cls, path: Path = GLOSSARY_PATH) -> Glossary:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))["terms"]
            terms = [
                GlossaryTerm(
                    zh=str(entry["zh"]),
                    en=str(entry["en"]),
                    names={k: str(v) for k, v in entry.items() if k not in ("zh", "en")},
                )
                for entry in raw
            ]
        except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
            raise ConfigurationError(
                f"cannot read the glossary {path}: {error}; every term needs zh and en"
            ) from error
        return cls(terms)

    def matcher(self, source: str, target: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
        """A pattern of the terms as written in ``source`` and what each becomes in ``target``."""
        output: dict[str, str] = {}
        for term in self.terms:
            rendered = term.name_in(target) or term.en
            # An English text keeps its Chinese names as they are (they are protected anyway);
            # a user's text may name a term in Chinese, English or their own language.
            forms = {term.en} if source == "en" else {term.zh, term.en, term.name_in(source)}
            for form in filter(None, forms):
                output.setdefault(form.casefold(), rendered)
        if not output:
            return None, output
        alternatives = sorted(output, key=len, reverse=True)
        pattern = re.compile(
            "|".join(rf"(?<!\w){re.escape(form)}(?!\w)" for form in alternatives), re.IGNORECASE
        )
        return pattern, output


def split_protected(
    text: str, source: str, target: str, glossary: Glossary | None = None
) -> list[Part]:
    """``text`` as a list of parts, protected and not, in order."""
    spans: list[tuple[int, int, str]] = []
    if glossary is not None:
        pattern, renderings = glossary.matcher(source, target)
        if pattern is not None:
            spans += [
                (m.start(), m.end(), renderings[m.group().casefold()])
                for m in pattern.finditer(text)
            ]
    protected = _PROTECTED_IN_CHINESE if source.startswith("zh") else _PROTECTED
    spans += [(m.start(), m.end(), m.group()) for m in protected.finditer(text)]
    # Leftmost first, then longest; overlapping later spans are dropped.
    spans.sort(key=lambda span: (span[0], -(span[1] - span[0])))
    parts: list[Part] = []
    position = 0
    for start, end, output in spans:
        if start < position:
            continue
        if start > position:
            parts.append(Part(text[position:start]))
        parts.append(Part(text[start:end], protected=True, output=output))
        position = end
    if position < len(text):
        parts.append(Part(text[position:]))
    return parts


def protected_values(parts: list[Part]) -> list[str]:
    return [part.output for part in parts if part.protected]


def with_placeholders(parts: list[Part]) -> str | None:
    """The text with ``[n]`` for each protected part, or None when ``[n]`` is already in it."""
    if PLACEHOLDER.search("".join(part.text for part in parts)):
        return None
    numbers = iter(range(1, len(parts) + 1))
    return "".join(f"[{next(numbers)}]" if part.protected else part.text for part in parts)


def restore_placeholders(translated: str, parts: list[Part]) -> str | None:
    """The translation with the protected parts back, or None if a placeholder was lost,
    repeated or invented."""
    outputs = [part.output for part in parts if part.protected]
    found = [int(number) for number in PLACEHOLDER.findall(translated)]
    if sorted(found) != list(range(1, len(outputs) + 1)):
        return None
    return PLACEHOLDER.sub(lambda m: outputs[int(m.group(1)) - 1], translated)
