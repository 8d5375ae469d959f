"""Reads ``knowledge/`` and validates every file.

A bad file never takes the others down: it is skipped and reported as a :class:`Problem` that
names the file, the line, what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from actions.knowledge.entry import REQUIRED_LANGUAGES, KnowledgeEntry, Office

CATEGORIES = frozenset(
    {
        "community", "visas", "work-permit", "residence-permit", "police-registration", "talent",
        "tax", "social-insurance", "housing", "banking", "phone", "healthcare", "emergency",
        "driving", "schooling", "family", "permanent-residence", "learning-chinese", "transport",
        "daily-life", "business", "jobs", "lost-documents",
    }
)  # fmt: skip
ENTRY_SUFFIXES = (".md", ".yml", ".yaml")
# Whole documents (actions/knowledge/articles), not Q&A entries.
ARTICLES_FOLDER = "articles"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_HEADING = re.compile(r"^##[ \t]+([a-z]{2}(?:-[A-Za-z]{2,4})?)[ \t]*$", re.MULTILINE)
KNOWN_FIELDS = frozenset(
    {"id", "category", "title", "questions", "answer", "source", "last_verified", "tags", "office"}
)
MAX_FILE_BYTES = 256 * 1024
LineOf = Callable[[str], int]


@dataclass(frozen=True)
class Problem:
    """What is wrong with one file, and how to fix it."""

    path: Path
    line: int
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}\n    fix: {self.fix}"


@dataclass
class LoadResult:
    entries: list[KnowledgeEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Invalid(Exception):
    def __init__(self, line: int, message: str, fix: str) -> None:
        super().__init__(message)
        self.line, self.message, self.fix = line, message, fix


def entry_files(folder: Path) -> list[Path]:
    """Every entry file: those in the category folders (files at the top, such as README.md
    and synonyms.yml, are not entries; hidden files, editor backups and the documents in
    ``articles/``, which the passage index reads, are ignored)."""
    return sorted(
        path
        for path in folder.glob("*/**/*")
        if path.is_file()
        and path.suffix in ENTRY_SUFFIXES
        and path.relative_to(folder).parts[0] != ARTICLES_FOLDER
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def load_knowledge(folder: Path, languages: Iterable[str], today: date | None = None) -> LoadResult:
    """Loads and validates every entry under ``folder``.

    Args:
        folder: The knowledge folder.
        languages: The supported language codes (answers in other codes are errors).
        today: The date "in the future" is judged against (default: today).
    """
    supported = frozenset(languages)
    today = today or date.today()
    result = LoadResult()
    seen: dict[str, Path] = {}
    for path in entry_files(folder):
        try:
            entry = parse_entry(path, folder, supported, today)
        except _Invalid as invalid:
            result.problems.append(Problem(path, invalid.line, invalid.message, invalid.fix))
            continue
        if entry.id in seen:
            result.problems.append(
                Problem(
                    path, 1, f"duplicate id {entry.id!r}, already used by {seen[entry.id]}",
                    "give one of the two entries another id (and rename its file to match)",
                )
            )  # fmt: skip
            continue
        seen[entry.id] = path
        result.entries.append(entry)
    return result


def parse_entry(path: Path, folder: Path, languages: frozenset[str], today: date) -> KnowledgeEntry:
    """Parses one file into an entry, or raises ``_Invalid`` with the first problem found."""
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise _Invalid(
            1, f"the file is {len(raw)} bytes", f"keep entries under {MAX_FILE_BYTES} bytes"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _Invalid(1, "the file is not UTF-8 text", "save it as UTF-8") from error
    if path.suffix == ".md":
        header_text, header_line, body_answers = _split_markdown(text)
    else:
        header_text, header_line, body_answers = text, 1, None
    header, lines = _parse_yaml(header_text, header_line)

    unknown = sorted(set(header) - KNOWN_FIELDS)
    if unknown:
        raise _Invalid(
            lines.get(unknown[0], header_line), f"unknown field {unknown[0]!r}",
            f"use only: {', '.join(sorted(KNOWN_FIELDS))} (check the spelling)",
        )  # fmt: skip

    def line_of(key: str) -> int:
        return lines.get(key, header_line)

    entry_id = _required_str(header, "id", line_of)
    if not ID_PATTERN.match(entry_id):
        raise _Invalid(
            line_of("id"),
            f"id {entry_id!r} is not lowercase-with-hyphens",
            "use lowercase letters, digits and hyphens, e.g. residence-permit-renewal",
        )
    if entry_id != path.stem:
        raise _Invalid(
            line_of("id"),
            f"id {entry_id!r} differs from the file name {path.name!r}",
            f"rename the file to {entry_id}{path.suffix} or change the id",
        )
    category = _required_str(header, "category", line_of)
    if category not in CATEGORIES:
        raise _Invalid(
            line_of("category"),
            f"unknown category {category!r}",
            f"use one of: {', '.join(sorted(CATEGORIES))}",
        )
    if path.parent.name != category:
        raise _Invalid(
            line_of("category"),
            f"category {category!r} but the file is in folder {path.parent.name!r}",
            f"move the file to knowledge/{category}/ or fix the category",
        )

    title = _language_map(header, "title", line_of, languages)
    questions = _questions(header, line_of, languages)
    if body_answers is None:
        answers = _language_map(header, "answer", line_of, languages)
    else:
        if "answer" in header:
            raise _Invalid(
                line_of("answer"),
                "a Markdown entry has its answer in the header",
                "move the answer below the header into '## en' and '## zh' sections",
            )
        for code, (answer, line) in body_answers.items():
            if code not in languages:
                raise _Invalid(
                    line,
                    f"unknown language code {code!r} in a '## {code}' heading",
                    f"use one of the supported codes: {', '.join(sorted(languages))}",
                )
            if not answer:
                raise _Invalid(
                    line, f"the '## {code}' answer is empty", "write the answer under it"
                )
        answers = {code: answer for code, (answer, _) in body_answers.items()}
    for code in REQUIRED_LANGUAGES:
        if not answers.get(code):
            raise _Invalid(
                header_line,
                f"no {code!r} answer",
                f"add a '## {code}' section with the answer in that language",
            )

    source = header.get("source")
    if not isinstance(source, dict) or not str(source.get("name") or "").strip():
        raise _Invalid(
            line_of("source"),
            "missing source name",
            "add 'source:' with 'name:' (the official source or office) and 'url:'",
        )
    url = source.get("url")
    if url is not None and not re.match(r"^https?://\S+$", str(url)):
        raise _Invalid(
            line_of("source"),
            f"source url {url!r} is not a web address",
            "write the full address, starting with https://",
        )

    last_verified = header.get("last_verified")
    if isinstance(last_verified, str):
        try:
            last_verified = date.fromisoformat(last_verified)
        except ValueError:
            last_verified = None
    if not isinstance(last_verified, date):
        raise _Invalid(
            line_of("last_verified"),
            "last_verified is missing or not a date",
            "write the date you checked the answer as YYYY-MM-DD",
        )
    if last_verified > today:
        raise _Invalid(
            line_of("last_verified"),
            f"last_verified {last_verified} is in the future",
            "write the date you actually checked the answer (today or earlier)",
        )

    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str | int) for t in tags):
        raise _Invalid(line_of("tags"), "tags must be a list of words", "write tags: [word, word]")

    return KnowledgeEntry(
        id=entry_id,
        category=category,
        title=title,
        questions=questions,
        answers={code: str(text).strip() for code, text in answers.items()},
        source_name=str(source["name"]).strip(),
        source_url=str(url) if url else None,
        last_verified=last_verified,
        tags=tuple(str(t) for t in tags),
        office=_office(header, line_of),
        path=path,
    )


def _split_markdown(text: str) -> tuple[str, int, dict[str, tuple[str, int]]]:
    """Splits a Markdown entry into its YAML header and its answers by language."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise _Invalid(
            1,
            "the file does not start with a '---' header line",
            "start the file with '---', the fields, then '---' (see the template)",
        )
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise _Invalid(1, "the header is not closed", "add a line '---' after the fields") from None
    header = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    body_start = end + 2  # 1-based line number of the first body line
    answers: dict[str, tuple[str, int]] = {}
    matches = list(LANGUAGE_HEADING.finditer(body))
    if not matches:
        raise _Invalid(
            body_start,
            "no '## en' / '## zh' answer sections",
            "write the answers under headings '## en' and '## zh'",
        )
    for number, match in enumerate(matches):
        code = match.group(1)
        line = body_start + body[: match.start()].count("\n")
        if code in answers:
            raise _Invalid(line, f"two '## {code}' sections", "merge them into one")
        stop = matches[number + 1].start() if number + 1 < len(matches) else len(body)
        answers[code] = (body[match.end() : stop].strip(), line)
    return header, 2, answers


def _parse_yaml(text: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise _Invalid(line, f"broken YAML: {problem}",
                       "check indentation and quote text that contains ': ' or starts with a symbol"
                       ) from error  # fmt: skip
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise _Invalid(
            first_line,
            "the header is not a list of 'field: value' lines",
            "write the fields as in the template in knowledge/README.md",
        )
    lines = {
        str(key.value): first_line + key.start_mark.line
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    return data, lines


def _required_str(header: dict[str, Any], key: str, line_of: LineOf) -> str:
    value = header.get(key)
    if value is None or not str(value).strip():
        raise _Invalid(line_of(key), f"missing field {key!r}", f"add '{key}: ...' to the header")
    return str(value).strip()


def _language_map(
    header: dict[str, Any], key: str, line_of: LineOf, languages: frozenset[str]
) -> dict[str, str]:
    value = header.get(key)
    if not isinstance(value, dict):
        raise _Invalid(
            line_of(key),
            f"missing or malformed {key!r}",
            f"write '{key}:' with 'en:' and 'zh:' lines under it",
        )
    result: dict[str, str] = {}
    for code, text in value.items():
        if str(code) not in languages:
            raise _Invalid(
                line_of(key),
                f"unknown language code {code!r} in {key!r}",
                f"use one of the supported codes: {', '.join(sorted(languages))}",
            )
        if not isinstance(text, str) or not text.strip():
            raise _Invalid(
                line_of(key), f"empty {key!r} for {code!r}", f"write the {key} in {code}"
            )
        result[str(code)] = text.strip()
    for code in REQUIRED_LANGUAGES:
        if code not in result:
            raise _Invalid(line_of(key), f"no {code!r} {key}", f"add '{code}: ...' under '{key}:'")
    return result


def _questions(
    header: dict[str, Any], line_of: LineOf, languages: frozenset[str]
) -> dict[str, list[str]]:
    value = header.get("questions")
    if not isinstance(value, dict):
        raise _Invalid(
            line_of("questions"),
            "missing or malformed 'questions'",
            "write 'questions:' with 'en:' and 'zh:' lists under it",
        )
    result: dict[str, list[str]] = {}
    for code, items in value.items():
        if str(code) not in languages:
            raise _Invalid(
                line_of("questions"),
                f"unknown language code {code!r} in 'questions'",
                f"use one of the supported codes: {', '.join(sorted(languages))}",
            )
        if not isinstance(items, list) or not all(isinstance(q, str) and q.strip() for q in items):
            raise _Invalid(
                line_of("questions"),
                f"questions for {code!r} must be a list of text",
                "write each question on its own '- ...' line",
            )
        result[str(code)] = [q.strip() for q in items]
    for code in REQUIRED_LANGUAGES:
        if len(result.get(code, [])) < 2:
            raise _Invalid(
                line_of("questions"),
                f"fewer than 2 {code!r} questions",
                f"add at least two ways of asking it in {code}",
            )
    return result


def _office(header: dict[str, Any], line_of: LineOf) -> Office | None:
    value = header.get("office")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Invalid(
            line_of("office"),
            "'office' must have name, address, hours, phone",
            "see the template in knowledge/README.md",
        )
    parts: dict[str, dict[str, str]] = {}
    for key in ("name", "address", "hours"):
        item = value.get(key) or {}
        if not isinstance(item, dict):
            raise _Invalid(
                line_of("office"),
                f"office {key} must have 'en:' and 'zh:'",
                f"write office {key} as en: ... and zh: ... lines",
            )
        parts[key] = {str(k): str(v) for k, v in item.items()}
    phone = value.get("phone")
    return Office(parts["name"], parts["address"], parts["hours"], str(phone) if phone else None)
