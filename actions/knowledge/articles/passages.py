"""Splits a parsed document into passages and picks the sentences of a passage that answer.

A passage never crosses a heading or an article of a law ("Article 30", "第三十条"): those are
the units people cite. Paragraphs under one heading are grouped up to about
``MAX_PASSAGE_CHARS``; a longer paragraph is cut between sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from actions.knowledge.articles.parsers import Block, ParsedDocument
from actions.knowledge.text import Tokenizer

MAX_PASSAGE_CHARS = 700
# The start of an article of a law, in English or Chinese, at the start of a block.
LAW_ARTICLE = re.compile(r"^(?:Article\s+\d+|第[一二三四五六七八九十百零〇\d]+条)\b")
# A sentence ends at a stop, except a decimal point ("0.5 yuan" is one sentence).
SENTENCE = re.compile(r"(?:[^.!?。！？；;]|(?<=\d)\.(?=\d))+(?:[.!?。！？；;]+[\"'”’）)]*|$)\s*")


@dataclass(frozen=True)
class Passage:
    """One citable piece of a document.

    Attributes:
        document: The document's path relative to the articles folder.
        family: The document's name without language and suffix (pairs translations).
        section: The number of the section in the document (pairs translated sections).
        title: The document's title.
        headings: The heading path, document title excluded.
        text: The passage text.
        language: The document's language.
        source_name, source_url, last_verified: From the document's metadata.
    """

    document: str
    family: str
    section: int
    title: str
    headings: tuple[str, ...]
    text: str
    language: str
    source_name: str
    source_url: str
    last_verified: date | None

    @property
    def section_name(self) -> str:
        return " > ".join(self.headings)

    def indexed_text(self) -> str:
        """What is embedded and searched: the headings give a paragraph its subject."""
        return " ".join([self.title, *self.headings, self.text])


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (Latin and Chinese punctuation)."""
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage, across its paragraph breaks."""
    return sentences(text.replace("\n", " "))


def split_passages(document: ParsedDocument, path: str, family: str) -> list[Passage]:
    """Cuts ``document`` into passages along its headings, law articles and paragraphs."""
    meta = document.meta
    groups: list[tuple[tuple[str, ...], list[str]]] = []
    for block in document.blocks:
        headings = _without_title(block, meta.title)
        starts_article = bool(LAW_ARTICLE.match(block.text))
        if not groups or groups[-1][0] != headings or starts_article:
            groups.append((headings, []))
        groups[-1][1].append(block.text)
    passages: list[Passage] = []
    sections: dict[tuple[str, ...], int] = {}
    for headings, texts in groups:
        section = sections.setdefault(headings, len(sections))
        for text in _pack(texts):
            passages.append(
                Passage(
                    document=path, family=family, section=section, title=meta.title,
                    headings=headings, text=text, language=meta.language,
                    source_name=meta.source_name, source_url=meta.source_url,
                    last_verified=meta.last_verified,
                )
            )  # fmt: skip
    return passages


def _without_title(block: Block, title: str) -> tuple[str, ...]:
    headings = block.headings
    return headings[1:] if headings and headings[0] == title else headings


def _pack(texts: list[str]) -> list[str]:
    """Paragraphs grouped up to ``MAX_PASSAGE_CHARS``; an overlong one cut between sentences."""
    pieces: list[str] = []
    for text in texts:
        if len(text) <= MAX_PASSAGE_CHARS:
            pieces.append(text)
            continue
        current = ""
        for sentence in sentences(text):
            if current and len(current) + len(sentence) > MAX_PASSAGE_CHARS:
                pieces.append(current.strip())
                current = ""
            current += sentence + " "
        if current.strip():
            pieces.append(current.strip())
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + len(piece) + 1 <= MAX_PASSAGE_CHARS:
            packed[-1] += "\n" + piece
        else:
            packed.append(piece)
    return packed


# How much one shared query term adds to a sentence's similarity when the best sentence is
# chosen: the meaning decides (it works across languages, where no term is shared), a shared
# term breaks near-ties.
TERM_WEIGHT = 0.01


def answering_sentences(
    text: str,
    query: str,
    tokenizer: Tokenizer,
    keep: int = 3,
    similarities: Sequence[float] | None = None,
) -> tuple[list[str], int]:
    """The sentences of a passage that answer ``query``, and which of them is the best.

    The best sentence is the one nearest the query in meaning (``similarities``, one per
    sentence of :func:`passage_sentences`, when the caller has them), shared query terms breaking
    near-ties; without similarities, the one sharing the most query terms. Its neighbours are
    kept for context, up to ``keep`` sentences in their original order.

    Returns:
        The kept sentences, and the index of the best one among them.
    """
    found = passage_sentences(text)
    if len(found) <= 1:
        return found or [text], 0
    terms = set(tokenizer.tokens(query))
    scores = [float(len(terms & set(tokenizer.tokens(sentence)))) for sentence in found]
    if similarities is not None and len(similarities) == len(found):
        scores = [float(s) + TERM_WEIGHT * o for s, o in zip(similarities, scores, strict=True)]
    best = max(range(len(found)), key=lambda i: (scores[i], -i))
    start = max(0, min(best - (keep - 1) // 2, len(found) - keep))
    kept = found[start : start + keep]
    return kept, best - start
