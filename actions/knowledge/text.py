"""Tokenization for the lexical index: English words and Jieba words for Chinese.

MiniLM does not understand Chinese, so Chinese queries rely on this side of the hybrid search.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

import jieba

_RUNS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+|[a-z0-9]+(?:['’][a-z]+)?")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

ENGLISH_STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being am "
    "do does did doing have has had having i me my we our you your he she it its they them their "
    "this that these those what which who whom how when where why can could should would will "
    "shall may might must not no yes so than too very just about into over under again there "
    "here any some all each other such only own same get got gets getting want need please "
    "hi hello thanks thank ok okay im i'm it's dont don't can't cant there's whats what's".split()
)
CHINESE_STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 呀 么 嘛 我 你 您 他 她 它 我们 你们 是 在 有 和 与 及 或 要 想 能 可以 会 "
    "怎么 怎么办 怎样 如何 什么 哪里 哪儿 哪个 多少 请问 一下 一个 这个 那个 就 都 也 还 又 "
    "需要 应该 得 地 着 过 把 被 让 给 对 从 到 吗？ 呢？".split()
)


class Tokenizer:
    """Turns text into index terms. One instance per index: it owns a Jieba dictionary with
    the knowledge base's own Chinese terms added, without touching Jieba's global state."""

    def __init__(self, extra_words: Iterable[str] = (), han_bigrams: bool = True) -> None:
        self._han_bigrams = han_bigrams
        self._jieba = jieba.Tokenizer()
        self._lock = threading.Lock()
        logging.getLogger("jieba").setLevel(logging.WARNING)
        for word in extra_words:
            if _HAN.search(word) and len(word) <= 12:
                self._jieba.add_word(word)

    def tokens(self, text: str) -> list[str]:
        """Index terms of ``text``: lowercase English words (light stemming) and Chinese words."""
        terms: list[str] = []
        for run in _RUNS.findall(text.lower()):
            if _HAN.match(run):
                with self._lock:  # Jieba initializes lazily and is not thread-safe while doing so
                    words = self._jieba.lcut_for_search(run)
                terms.extend(w for w in words if w not in CHINESE_STOPWORDS)
                if self._han_bigrams:
                    # Bigrams match where segmentation differs: 居留证 vs 居留许可 share 居留.
                    terms.extend("_" + run[i : i + 2] for i in range(len(run) - 1))
            elif run not in ENGLISH_STOPWORDS:
                terms.append(stem(run))
        return terms


def stem(word: str) -> str:
    """A deliberately light English stemmer: plural and a few verb endings."""
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + replacement
    return word


def has_chinese(text: str) -> bool:
    return bool(_HAN.search(text))


_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u1100-\u11ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u3400-\u4dbf\u4e00-\u9fff]")


def search_group(text: str, language: str | None = None) -> str:
    """Which search recipe fits a query: ``en``, ``zh`` or ``other`` (any other language).

    Args:
        text: The query.
        language: Its language when the caller knows it (the gateway identified it).
    """
    if language in ("en", "zh"):
        return language
    if language is not None:
        return "other"
    if _KANA_HANGUL.search(text):
        return "other"
    if has_chinese(text):
        return "zh"
    if len(_OTHER_LETTER.findall(text)) > len(_LATIN_LETTER.findall(text)):
        return "other"
    return "en"


def lead_paragraph(answer: str, limit: int = 400) -> str:
    """The opening paragraph of an answer (where the direct fact is), at most ``limit`` chars."""
    for paragraph in answer.split("\n\n"):
        text = paragraph.strip()
        if text:
            return text.replace("**", "")[:limit]
    return ""
