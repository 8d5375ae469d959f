"""Reads a document of any supported format into titled blocks of text.

Each parser returns :class:`Block` s in reading order, each with the headings it sits under, so
the splitter can cut along the document's own structure. Parsers use maintained libraries
(pypdf, python-docx, selectolax) and never touch the network.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from actions.knowledge.articles.metadata import (
    DocumentMeta,
    MetadataError,
    from_mapping,
    language_from_name,
    read_side_file,
    split_front_matter,
)
from actions.knowledge.text import has_chinese

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MARKDOWN_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
# Inline Markdown that is noise once read aloud: emphasis, code marks, link targets.
MARKDOWN_INLINE = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__|\*|`)"), ""),
]
LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
SENTENCE_END = tuple(".。!！?？:：;；")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class DocumentError(Exception):
    """A document that cannot be used, with the kind of problem and how to fix it.

    Attributes:
        kind: ``unreadable``, ``empty``, ``scanned`` or ``unsupported``.
        fix: What staff should do about it.
    """

    def __init__(self, kind: str, message: str, fix: str) -> None:
        super().__init__(message)
        self.kind, self.message, self.fix = kind, message, fix


@dataclass(frozen=True)
class Block:
    """A paragraph (or list item, or a page's running text) under its headings."""

    headings: tuple[str, ...]
    text: str


@dataclass
class ParsedDocument:
    """A document's text and metadata.

    Attributes:
        meta: Metadata, completed with fallbacks (title from the file name, file date).
        blocks: The text in reading order.
        pages: Pages (PDF) or an estimate of printed pages (about 3,000 characters each).
        warnings: Things ``check`` should report without skipping the document.
    """

    meta: DocumentMeta
    blocks: list[Block]
    pages: int = 1
    warnings: list[str] = field(default_factory=list)


def clean_inline(text: str) -> str:
    for pattern, replacement in MARKDOWN_INLINE:
        text = pattern.sub(replacement, text)
    return text.strip()


def join_lines(lines: list[str]) -> str:
    """Joins wrapped lines: no space next to a Chinese character or mark, one otherwise."""
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if text and not (CJK.match(text[-1]) or CJK.match(line[0])):
            text += " "
        text += line
    return text


def _heading_stack(stack: list[tuple[int, str]], level: int, title: str) -> None:
    while stack and stack[-1][0] >= level:
        stack.pop()
    stack.append((level, title))


def _blocks_from_lines(lines: list[str], markdown: bool) -> Iterator[tuple[int, str] | Block]:
    """Paragraphs (blank-line separated; list items on their own) and Markdown headings."""
    stack: list[tuple[int, str]] = []
    paragraph: list[str] = []

    def flush() -> Iterator[Block]:
        if paragraph:
            text = clean_inline(join_lines(paragraph)) if markdown else join_lines(paragraph)
            if text:
                yield Block(tuple(title for _, title in stack), text)
            paragraph.clear()

    for line in lines:
        heading = MARKDOWN_HEADING.match(line) if markdown else None
        if heading or not line.strip() or LIST_MARK.match(line):
            yield from flush()
        if heading:
            _heading_stack(stack, len(heading.group(1)), clean_inline(heading.group(2)))
            yield (len(heading.group(1)), clean_inline(heading.group(2)))
        elif line.strip():
            paragraph.append(LIST_MARK.sub("", line) if LIST_MARK.match(line) else line)
    yield from flush()


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            "unreadable", f"not UTF-8 text ({error.reason} at byte {error.start})",
            "save the file as UTF-8 (in most editors: Save as… > Encoding: UTF-8)",
        ) from error  # fmt: skip


def parse_markdown(path: Path) -> tuple[DocumentMeta, list[Block], str]:
    meta, body, _ = split_front_matter(_read_text(path))
    blocks, first_heading = [], ""
    for item in _blocks_from_lines(body.splitlines(), markdown=True):
        if isinstance(item, Block):
            blocks.append(item)
        elif not first_heading:
            first_heading = item[1]
    return meta, blocks, first_heading


def is_plain_heading(paragraph: str) -> bool:
    """A one-line paragraph of a plain-text file that reads as a heading: short, no full stop."""
    return "\n" not in paragraph and len(paragraph) <= 80 and not paragraph.endswith(SENTENCE_END)


def parse_text(path: Path) -> tuple[DocumentMeta, list[Block], str]:
    meta, body, _ = split_front_matter(_read_text(path))
    paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", body) if p.strip()]
    blocks: list[Block] = []
    title, heading = "", ""
    for number, paragraph in enumerate(paragraphs):
        if is_plain_heading(paragraph):
            if number == 0:
                title = paragraph
            else:
                heading = paragraph
            continue
        headings = tuple(h for h in (title, heading) if h)
        blocks.append(Block(headings, join_lines(paragraph.splitlines())))
    return meta, blocks, title


def parse_html(path: Path) -> tuple[DocumentMeta, list[Block], str]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_read_text(path))
    header: dict[str, Any] = {}
    for meta_tag in tree.css("meta[name]"):
        name = (meta_tag.attributes.get("name") or "").lower()
        content = meta_tag.attributes.get("content")
        if content and name in {"source", "source-url", "last-verified", "language", "title"}:
            header[name.replace("-", "_")] = content
    root = tree.css_first("html")
    if root is not None and "language" not in header and root.attributes.get("lang"):
        header["language"] = root.attributes["lang"]
    title_tag = tree.css_first("title")
    if "title" not in header and title_tag is not None and title_tag.text(strip=True):
        header["title"] = title_tag.text(strip=True)
    try:
        meta = from_mapping(header)
    except MetadataError as error:
        raise DocumentError("unreadable", str(error), "fix the <meta> tag's content") from error
    tree.strip_tags(["script", "style", "nav", "header", "footer", "noscript", "aside", "form"])
    body = tree.css_first("main") or tree.css_first("article") or tree.body
    if body is None:
        return meta, [], ""
    stack: list[tuple[int, str]] = []
    blocks, first_heading = [], ""
    for node in body.css("h1, h2, h3, h4, h5, h6, p, li, pre, blockquote, td, dd, dt"):
        text = " ".join(node.text(separator=" ").split())
        if not text:
            continue
        tag = node.tag or ""
        if tag[:1] == "h" and tag[1:].isdigit():
            _heading_stack(stack, int(tag[1:]), text)
            first_heading = first_heading or text
        else:
            blocks.append(Block(tuple(title for _, title in stack), text))
    return meta, blocks, first_heading


def _pdf_outline(reader: Any) -> list[tuple[int, str]]:
    """The PDF's bookmarks as (level, title), in order."""
    found: list[tuple[int, str]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            elif getattr(item, "title", None):
                found.append((level, str(item.title).strip()))

    walk(list(reader.outline or []), 1)
    return found


def parse_pdf(path: Path) -> tuple[DocumentMeta, list[Block], str, int]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(
                "unreadable", "the PDF is password-protected",
                "save an unprotected copy (Print > Save as PDF) and put that here instead",
            )  # fmt: skip
        pages = [page.extract_text() or "" for page in reader.pages]
        outline = _pdf_outline(reader)
        info: Any = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentError(
            "unreadable", f"not a readable PDF ({error})",
            "open it in a PDF reader; if it opens, save a new copy with Print > Save as PDF",
        ) from error  # fmt: skip
    if not any(text.strip() for text in pages):
        has_images = any(page.images for page in reader.pages) if reader.pages else False
        if has_images:
            raise DocumentError(
                "scanned", "the PDF holds only images of pages (a scan), no text layer",
                "ask the office for the original PDF, or run OCR on it and put the result here",
            )  # fmt: skip
        raise DocumentError("empty", "the PDF has no text", "check that this is the right file")
    meta = DocumentMeta(title=str(info.get("/Title") or "").strip())
    headings = {title: level for level, title in outline}
    stack: list[tuple[int, str]] = []
    blocks: list[Block] = []
    lines: list[str] = []

    def flush() -> None:
        text = join_lines(lines)
        if text:
            blocks.append(Block(tuple(title for _, title in stack), text))
        lines.clear()

    for line in "\n".join(pages).splitlines():
        stripped = line.strip()
        if stripped in headings:
            flush()
            _heading_stack(stack, headings[stripped], stripped)
        elif LIST_MARK.match(stripped):
            flush()
            lines.append(LIST_MARK.sub("", stripped))
        else:
            lines.append(stripped)
            if stripped.endswith(SENTENCE_END[:2]) and len(stripped) < 60:
                flush()  # a short line ending a sentence ends its paragraph
    flush()
    first = outline[0][1] if outline else ""
    return meta, blocks, first, len(pages)


def parse_docx(path: Path) -> tuple[DocumentMeta, list[Block], str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DocumentError(
            "unreadable", f"not a readable Word document ({error})",
            "open it in Word or LibreOffice and save it again as .docx",
        ) from error  # fmt: skip
    properties = document.core_properties
    meta = DocumentMeta(title=properties.title or "", language=properties.language or "")
    stack: list[tuple[int, str]] = []
    blocks, first_heading = [], ""
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = paragraph.style.name if paragraph.style is not None else ""
        level = 1 if style == "Title" else _heading_level(style)
        if not text:
            continue
        if level:
            _heading_stack(stack, level, text)
            first_heading = first_heading or text
        else:
            blocks.append(Block(tuple(title for _, title in stack), text))
    for table in document.tables:
        for row in table.rows:
            cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
            if cells:
                blocks.append(Block(tuple(title for _, title in stack), " | ".join(cells)))
    return meta, blocks, first_heading


def _heading_level(style: str) -> int:
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) if match else 0


TEXT_PARSERS: dict[str, Callable[[Path], tuple[DocumentMeta, list[Block], str]]] = {
    ".md": parse_markdown,
    ".markdown": parse_markdown,
    ".txt": parse_text,
    ".html": parse_html,
    ".htm": parse_html,
    ".docx": parse_docx,
}
DOCUMENT_SUFFIXES = frozenset([*TEXT_PARSERS, ".pdf"])


def parse_document(path: Path) -> ParsedDocument:
    """Reads ``path`` by its suffix and completes its metadata.

    Raises:
        DocumentError: The document is unreadable, empty, a scan, or of an unknown kind.
    """
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise DocumentError(
            "unsupported", f"{suffix or 'no suffix'} is not a document kind TalentDesk reads",
            "save it as .md, .txt, .html, .pdf or .docx",
        )  # fmt: skip
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            "unreadable", f"larger than {MAX_DOCUMENT_BYTES // 1024 // 1024} MB",
            "split it into several documents, or remove its images",
        )  # fmt: skip
    try:
        side = read_side_file(path)
        if suffix == ".pdf":
            meta, blocks, first_heading, pages = parse_pdf(path)
        else:
            meta, blocks, first_heading = TEXT_PARSERS[suffix](path)
            pages = 0
    except MetadataError as error:
        raise DocumentError("unreadable", str(error), "fix the metadata's YAML") from error
    if not blocks:
        raise DocumentError("empty", "no text found", "check that this is the right file")
    meta = meta.merged(side)
    characters = sum(len(block.text) for block in blocks)
    warnings = []
    text = " ".join(block.text for block in blocks[:5])
    fallback = DocumentMeta(
        title=first_heading or path.stem.split(".")[0].replace("-", " ").replace("_", " "),
        language=language_from_name(path) or ("zh" if has_chinese(text) else "en"),
        last_verified=date.fromtimestamp(path.stat().st_mtime),
    )
    if not meta.declared:
        warnings.append(
            "no last-verified date: the file's date is shown instead; add last_verified "
            f"(YYYY-MM-DD) in front matter or a side file {path.name}.yml"
        )
    if not meta.source_name and not meta.source_url:
        warnings.append(f"no source named: add source (name and url) in {path.name}.yml")
    return ParsedDocument(
        meta=fallback.merged(meta),
        blocks=blocks,
        pages=pages or max(1, round(characters / 3000)),
        warnings=warnings,
    )
