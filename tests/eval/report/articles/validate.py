"""Validate the frozen report set for article answers.

Run from anywhere:  /work/main/.venv/bin/python tests/eval/report/articles/validate.py

Checks:
- every *.yml here parses, has `lang:` and a `questions:` list of {text, document, fact};
- each `document` exists: knowledge/articles/<document>.* or
  knowledge/articles/_generate/<document>.*;
- each fact occurs (case-insensitive) in that document's text of the question's language
  (en/zh) or, failing that, in any language version; for en/zh questions at least one fact
  must occur in the article of that language;
- minimum counts (total, per language, per document), every article covered;
- question texts are unique.
Also warns (does not fail) when a fact string occurs in a Q&A entry (knowledge/<category>/).
Prints counts per language and per document. Exit code 1 on any error.
"""

from __future__ import annotations

import html
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
ARTICLES = ROOT / "knowledge" / "articles"
GENERATE = ARTICLES / "_generate"
KNOWLEDGE = ROOT / "knowledge"

MIN_TOTAL = 60
MIN_LANG = {"en": 25, "zh": 25, "fr": 2, "ru": 2, "es": 2, "de": 2, "ja": 2, "ar": 2}
MIN_PER_DOCUMENT = 6
TEXT_SUFFIXES = {".md", ".txt", ".html", ".htm"}


def strip_front_matter(text: str) -> str:
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4 :]
    return text


def html_to_text(text: str) -> str:
    text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return html.unescape(text)


def load_text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    if path.suffix in {".html", ".htm"}:
        return html_to_text(raw)
    if path.suffix == ".md":
        return strip_front_matter(raw)
    return raw


def variants(text: str) -> list[str]:
    """Raw text plus whitespace-normalised forms (line wraps in en and zh)."""
    low = text.lower()
    return [low, re.sub(r"\s+", " ", low), re.sub(r"\s*\n\s*", "", low)]


def article_index() -> dict[str, dict[str, list[str]]]:
    """document stem -> language -> text variants."""
    index: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for folder in (ARTICLES, GENERATE):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
                continue
            parts = path.name.split(".")
            if len(parts) < 3:
                continue
            stem, lang = parts[0], parts[1]
            index[stem][lang] = variants(load_text(path))
    return index


def document_exists(doc: str) -> bool:
    return any(ARTICLES.glob(f"{doc}.*")) or any(GENERATE.glob(f"{doc}.*"))


def qa_text() -> str:
    chunks = []
    for path in sorted(KNOWLEDGE.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".yml", ".yaml"}:
            rel = path.relative_to(KNOWLEDGE)
            if rel.parts[0] == "articles" or len(rel.parts) < 2:
                continue
            chunks.append(path.read_text(encoding="utf-8"))
    return "\n".join(variants("\n".join(chunks)))


def contains(text_variants: list[str], fact: str) -> bool:
    f = fact.lower()
    return any(f in t for t in text_variants)


def main() -> int:
    errors: list[str] = []
    warnings: list[str] = []
    index = article_index()
    qa = qa_text()
    by_lang: Counter = Counter()
    by_doc: Counter = Counter()
    table: dict[str, Counter] = defaultdict(Counter)
    seen: dict[str, str] = {}

    files = sorted(HERE.glob("*.yml"))
    if not files:
        errors.append("no *.yml files")
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            errors.append(f"{path.name}: YAML error: {exc}")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("lang"), str):
            errors.append(f"{path.name}: missing top-level lang")
            continue
        lang = data["lang"]
        questions = data.get("questions")
        if not isinstance(questions, list) or not questions:
            errors.append(f"{path.name}: missing questions list")
            continue
        for i, q in enumerate(questions):
            where = f"{path.name}#{i + 1}"
            if not isinstance(q, dict) or set(q) != {"text", "document", "fact"}:
                errors.append(f"{where}: needs exactly text, document, fact")
                continue
            text, doc, facts = q["text"], q["document"], q["fact"]
            if not isinstance(text, str) or not text.strip():
                errors.append(f"{where}: empty text")
                continue
            key = re.sub(r"\s+", " ", text.strip().lower())
            if key in seen:
                errors.append(f"{where}: duplicate text (also {seen[key]}): {text}")
            seen[key] = where
            if not isinstance(doc, str) or not document_exists(doc):
                errors.append(f"{where}: document not found: {doc}")
                continue
            if (
                not isinstance(facts, list)
                or not facts
                or not all(isinstance(f, str) and f.strip() for f in facts)
            ):
                errors.append(f"{where}: fact must be a non-empty list of strings")
                continue
            versions = index.get(doc, {})
            all_versions = [t for v in versions.values() for t in v]
            same_lang = versions.get(lang)
            for fact in facts:
                if same_lang is not None and contains(same_lang, fact):
                    pass
                elif contains(all_versions, fact):
                    if lang in ("en", "zh"):
                        warnings.append(
                            f"{where}: fact {fact!r} only in another language version of {doc}"
                        )
                else:
                    errors.append(f"{where}: fact {fact!r} not in any version of {doc}")
                if contains([qa], fact):
                    warnings.append(f"{where}: fact {fact!r} also occurs in a Q&A entry")
            if same_lang is not None and not any(contains(same_lang, f) for f in facts):
                errors.append(f"{where}: no fact occurs in the {lang} version of {doc}")
            by_lang[lang] += 1
            by_doc[doc] += 1
            table[doc][lang] += 1

    total = sum(by_lang.values())
    if total < MIN_TOTAL:
        errors.append(f"total {total} < {MIN_TOTAL}")
    for lang, minimum in MIN_LANG.items():
        if by_lang[lang] < minimum:
            errors.append(f"lang {lang}: {by_lang[lang]} < {minimum}")
    for doc in sorted(index):
        if by_doc[doc] < MIN_PER_DOCUMENT:
            errors.append(f"document {doc}: {by_doc[doc]} < {MIN_PER_DOCUMENT}")

    langs = sorted(by_lang, key=lambda code: (-by_lang[code], code))
    print(f"total questions: {total}")
    print("per language: " + ", ".join(f"{code} {by_lang[code]}" for code in langs))
    print("per document:")
    width = max((len(d) for d in by_doc), default=10)
    print("  " + "document".ljust(width) + "  total  " + " ".join(code.rjust(3) for code in langs))
    for doc in sorted(set(index) | set(by_doc)):
        row = " ".join(str(table[doc][code]).rjust(3) for code in langs)
        print(f"  {doc.ljust(width)}  {str(by_doc[doc]).rjust(5)}  {row}")
    for w in warnings:
        print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"FAILED ({len(errors)} errors)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
