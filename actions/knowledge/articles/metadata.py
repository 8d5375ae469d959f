"""What a document says about itself: title, language, source and last-verified date.

A document carries its metadata in YAML front matter (Markdown, plain text), in ``<meta>``
tags (HTML), in its properties (PDF, DOCX), or in a side file next to it named after it plus
``.yml`` (``tax-guide.pdf`` -> ``tax-guide.pdf.yml``), which wins over everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

SIDE_SUFFIX = ".yml"
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# A language code in the file name, as in ``exit-entry-rules.zh.md``.
NAME_LANGUAGE = re.compile(r"\.([a-z]{2}(?:-[A-Za-z]{2,4})?)$")


class MetadataError(ValueError):
    """A front matter or side file that is not valid YAML or has a field of the wrong type."""


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about a document beyond its text.

    Attributes:
        title: Shown to users as the document's name.
        language: The language code of the text ("" when unknown).
        source_name: The office or publication the content comes from.
        source_url: Where the source can be read, when there is one.
        last_verified: The date somebody last checked the document against its source.
        declared: Whether ``last_verified`` was declared (False: it is the file's date).
    """

    title: str = ""
    language: str = ""
    source_name: str = ""
    source_url: str = ""
    last_verified: date | None = None
    declared: bool = False

    def merged(self, other: DocumentMeta) -> DocumentMeta:
        """This metadata with every field ``other`` sets taking precedence."""
        changes = {
            name: getattr(other, name)
            for name in ("title", "language", "source_name", "source_url", "last_verified")
            if getattr(other, name)
        }
        if other.declared:
            changes["declared"] = True
        return replace(self, **changes)


def split_front_matter(text: str) -> tuple[DocumentMeta, str, int]:
    """Separates YAML front matter from the body.

    Returns:
        The metadata it declares, the body, and how many lines the front matter took.
    """
    match = FRONT_MATTER.match(text)
    if not match:
        return DocumentMeta(), text, 0
    try:
        header = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise MetadataError(f"the front matter is not valid YAML: {error}") from error
    return from_mapping(header), text[match.end() :], match.group(0).count("\n")


def side_file(path: Path) -> Path:
    """The optional side file holding ``path``'s metadata."""
    return path.with_name(path.name + SIDE_SUFFIX)


def read_side_file(path: Path) -> DocumentMeta:
    """The metadata in ``path``'s side file (empty when there is none)."""
    side = side_file(path)
    if not side.is_file():
        return DocumentMeta()
    try:
        header = yaml.safe_load(side.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MetadataError(f"{side.name} is not valid YAML: {error}") from error
    return from_mapping(header)


def from_mapping(header: Any) -> DocumentMeta:
    """Metadata from a YAML mapping: ``title``, ``language``, ``source`` (a name, or a mapping
    with ``name`` and ``url``), ``source_url`` and ``last_verified`` (YYYY-MM-DD)."""
    if not isinstance(header, dict):
        raise MetadataError("the metadata must be a YAML mapping of field: value")
    source = header.get("source") or ""
    if isinstance(source, dict):
        source_name, source_url = str(source.get("name") or ""), str(source.get("url") or "")
    else:
        source_name, source_url = str(source), ""
    verified = header.get("last_verified")
    if isinstance(verified, str):
        try:
            verified = date.fromisoformat(verified)
        except ValueError as error:
            raise MetadataError(f"last_verified {verified!r} is not a YYYY-MM-DD date") from error
    if verified is not None and not isinstance(verified, date):
        raise MetadataError("last_verified must be a YYYY-MM-DD date")
    return DocumentMeta(
        title=str(header.get("title") or "").strip(),
        language=str(header.get("language") or "").strip(),
        source_name=source_name.strip(),
        source_url=str(header.get("source_url") or source_url).strip(),
        last_verified=verified,
        declared=verified is not None,
    )


def language_from_name(path: Path) -> str:
    """The language code in a file name like ``guide.zh.pdf`` ("" when there is none)."""
    match = NAME_LANGUAGE.search(Path(path.stem).name)
    return match.group(1) if match else ""
