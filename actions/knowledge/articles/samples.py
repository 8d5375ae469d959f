"""Builds the sample PDF and DOCX articles from our own Markdown text.

``knowledge/articles/_generate/<name>.<lang>.md`` carries a ``format: pdf`` or ``format: docx``
field; ``python -m actions.knowledge.articles.samples`` writes ``knowledge/articles/<name>.<lang>
.<format>`` and its metadata side file, so the PDF and DOCX parsers read real files without
binary files in git. The Makefile runs it before indexing and testing.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

from actions.knowledge.articles.metadata import FRONT_MATTER, side_file
from actions.knowledge.articles.parsers import join_lines

SOURCES_FOLDER = "_generate"
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*$")
BULLET = re.compile(r"^[-*][ \t]+(.+)$")
# A CID font every PDF reader has (Adobe's Chinese pack): Chinese and Latin text, no font file.
PDF_FONT = "STSong-Light"


def blocks(markdown: str) -> Iterator[tuple[str, int, str]]:
    """The Markdown body as (kind, level, text): headings, paragraphs and bullet items."""
    paragraph: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        heading, bullet = HEADING.match(line), BULLET.match(line.strip())
        if (heading or bullet or not line.strip()) and paragraph:
            yield "paragraph", 0, join_lines(paragraph)
            paragraph = []
        if heading:
            yield "heading", len(heading.group(1)), heading.group(2)
        elif bullet:
            yield "bullet", 0, bullet.group(1)
        elif line.strip():
            paragraph.append(line.strip())


def write_pdf(body: str, title: str, target: Path) -> None:
    """A PDF with headings as bookmarks (the outline the PDF parser splits on)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    text = ParagraphStyle("text", fontName=PDF_FONT, fontSize=10.5, leading=15, wordWrap="CJK")
    sizes = {1: 17, 2: 13, 3: 11.5}

    class Bookmark(Flowable):
        def __init__(self, key: str, title: str, level: int) -> None:
            super().__init__()
            self.key, self.title, self.level = key, title, level

        def draw(self) -> None:
            self.canv.bookmarkPage(self.key)
            self.canv.addOutlineEntry(self.title, self.key, level=self.level)

    story: list[Flowable] = []
    for number, (kind, level, content) in enumerate(blocks(body)):
        if kind == "heading":
            size = sizes.get(level, 11)
            style = ParagraphStyle(f"h{level}", parent=text, fontSize=size, leading=size * 1.4)
            story += [Bookmark(f"h{number}", content, level - 1), Paragraph(escape(content), style)]
        else:
            prefix = "• " if kind == "bullet" else ""
            story += [Paragraph(prefix + escape(content), text), Spacer(1, 4)]
    document = SimpleDocTemplate(str(target), pagesize=A4, title=title, author="TalentDesk")
    document.build(story)


def write_docx(body: str, title: str, language: str, target: Path) -> None:
    """A DOCX with Word's heading styles (what the DOCX parser splits on)."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.language = language
    for kind, level, content in blocks(body):
        if kind == "heading":
            document.add_heading(content, level=min(level, 9))
        elif kind == "bullet":
            document.add_paragraph(content, style="List Bullet")
        else:
            document.add_paragraph(content)
    document.save(str(target))


def build(articles: Path) -> list[Path]:
    """Writes every sample under ``articles/_generate`` that is missing or older than its text.

    Returns:
        The documents written.
    """
    written = []
    for source in sorted((articles / SOURCES_FOLDER).glob("*.md")):
        text = source.read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        if not match:
            raise ValueError(f"{source}: no front matter with a format: pdf|docx field")
        header = yaml.safe_load(match.group(1))
        kind = header.pop("format")
        target = articles / f"{source.stem}.{kind}"
        if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        body = text[match.end() :]
        if kind == "pdf":
            write_pdf(body, header["title"], target)
        elif kind == "docx":
            write_docx(body, header["title"], header.get("language", ""), target)
        else:
            raise ValueError(f"{source}: format must be pdf or docx, not {kind!r}")
        side_file(target).write_text(
            "# Generated from " + f"{SOURCES_FOLDER}/{source.name}; edit that file.\n"
            + yaml.safe_dump(header, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )  # fmt: skip
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m actions.knowledge.articles.samples")
    parser.add_argument("folder", nargs="?", default="knowledge/articles", type=Path)
    args = parser.parse_args(argv)
    for path in build(args.folder):
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
