"""Reads ``knowledge/`` and validates every file.

A bad file never takes the others down: it is skipped and reported as a :class:`Problem` that
names the file, the line, what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from actions.knowledge import fields
from actions.knowledge.entry import REQUIRED_LANGUAGES, KnowledgeEntry, Office
from actions.knowledge.facts import FACTS_FILE_NAME, Facts, FactsError
from actions.knowledge.fields import Invalid as _Invalid

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
    {
        "id", "category", "title", "questions", "answer", "source", "sources", "last_verified",
        "valid_until", "review_by", "tags", "office",
    }
)  # fmt: skip
MAX_FILE_BYTES = 256 * 1024


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
    """What was loaded.

    Attributes:
        entries: Every valid entry, expired ones included (the assistant recognises a question
            about an expired policy and says that it has ended, rather than guessing).
        problems: Files that were skipped, and why.
        expired: Entries past ``valid_until``: ``check`` refuses them until staff renew them.
        due_for_review: Entries past ``review_by``: ``check`` warns about them.
        home_page_sources: Sources that name a site's home page rather than the page stating
            the rule: ``check`` warns about them.
        facts: The shared facts the entries were expanded with.
    """

    entries: list[KnowledgeEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    expired: list[Problem] = field(default_factory=list)
    due_for_review: list[Problem] = field(default_factory=list)
    home_page_sources: list[Problem] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)


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
    facts_path = folder / FACTS_FILE_NAME
    try:  # a folder without facts simply has none to name
        result.facts = Facts.load(facts_path) if facts_path.exists() else Facts()
    except FactsError as error:  # entries that name a fact are then reported one by one
        result.problems.append(Problem(facts_path, 1, str(error), "see the comments in the file"))
    seen: dict[str, Path] = {}
    for path in entry_files(folder):
        try:
            entry = parse_entry(path, folder, supported, today, result.facts)
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
        _judge_dates(entry, path, today, result)
        _judge_sources(entry, path, result)
    return result


def is_home_page(url: str) -> bool:
    """True for a site's front page (``https://www.nia.gov.cn/``, ``.../index.html``), which
    never shows the reader where a rule is stated."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    return not parts.query and path in {"", "index.html", "index.htm", "index.shtml"}


def _judge_sources(entry: KnowledgeEntry, path: Path, result: LoadResult) -> None:
    for source in entry.sources:
        if source.url and is_home_page(source.url):
            result.home_page_sources.append(
                Problem(
                    path, 1, f"source {source.name!r} is a site's home page ({source.url})",
                    "point url at the page that states the rule (a notice, a law's article, a"
                    " service guide), or leave url out and name the document in name",
                )
            )  # fmt: skip


def _judge_dates(entry: KnowledgeEntry, path: Path, today: date, result: LoadResult) -> None:
    if entry.is_expired(today):
        result.expired.append(
            Problem(
                path, 1, f"the policy ended on {entry.valid_until} (valid_until)",
                "check the official source: if the policy was extended, set valid_until to the"
                " new end date and last_verified to today; if it ended, rewrite or remove it",
            )
        )  # fmt: skip
    elif entry.is_due_for_review(today):
        result.due_for_review.append(
            Problem(
                path, 1, f"due for review since {entry.review_by} (review_by)",
                "check the answer against its sources, then set last_verified to today and"
                " review_by to the next date it should be checked",
            )
        )  # fmt: skip


def parse_entry(
    path: Path, folder: Path, languages: frozenset[str], today: date, facts: Facts | None = None
) -> KnowledgeEntry:
    """Parses one file into an entry, or raises ``_Invalid`` with the first problem found.

    ``{{name}}`` placeholders in the title, answers and office are replaced by ``facts``.
    """
    facts = facts or Facts()
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

    entry_id = fields.required_str(header, "id", line_of)
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
    category = fields.required_str(header, "category", line_of)
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

    title = fields.language_map(header, "title", line_of, languages)
    questions = fields.questions(header, line_of, languages)
    if body_answers is None:
        answers = fields.language_map(header, "answer", line_of, languages)
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

    sources = fields.sources(header, line_of)
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

    date_fix = "write the date as YYYY-MM-DD"
    valid_until = fields.optional_date(header, "valid_until", line_of, date_fix)
    review_by = fields.optional_date(header, "review_by", line_of, date_fix)
    if review_by is not None and review_by < last_verified:
        raise _Invalid(
            line_of("review_by"),
            f"review_by {review_by} is before last_verified {last_verified}",
            "set review_by to a later date than the day you checked the answer",
        )

    tags = header.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str | int) for t in tags):
        raise _Invalid(line_of("tags"), "tags must be a list of words", "write tags: [word, word]")

    def expand(text: str, language: str, where: str) -> str:
        try:
            return facts.expand(text, language)
        except KeyError as error:
            raise _Invalid(
                line_of(where) if where in lines else header_line,
                f"{{{{{error.args[0]}}}}} names no fact in {FACTS_FILE_NAME}",
                f"use a fact defined in knowledge/{FACTS_FILE_NAME} (check the spelling) or add it",
            ) from error

    office = fields.office(header, line_of)
    if office is not None:
        office = Office(
            **{
                part: {code: expand(text, code, "office") for code, text in values.items()}
                for part, values in (
                    ("name", office.name), ("address", office.address), ("hours", office.hours)
                )
            },
            phone=expand(office.phone, "en", "office") if office.phone else None,
        )  # fmt: skip
    return KnowledgeEntry(
        id=entry_id,
        category=category,
        title={code: expand(text, code, "title") for code, text in title.items()},
        questions=questions,
        answers={code: expand(str(text).strip(), code, "answer") for code, text in answers.items()},
        sources=sources,
        last_verified=last_verified,
        tags=tuple(str(t) for t in tags),
        office=office,
        path=path,
        valid_until=valid_until,
        review_by=review_by,
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
