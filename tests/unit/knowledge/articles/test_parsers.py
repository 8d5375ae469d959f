from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from actions.knowledge.articles.parsers import DocumentError, parse_document
from tests.unit.knowledge.articles.helpers import (
    CHINESE_MARKDOWN,
    side,
    write_docx_document,
    write_pdf_document,
    write_scanned_pdf,
)

FRONT = """\
---
title: Tax guide
language: en
source:
  name: State Taxation Administration
  url: https://www.chinatax.gov.cn/
last_verified: 2026-11-30
---
"""


def test_markdown_keeps_heading_paths_and_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "tax.en.md"
    path.write_text(
        FRONT + "# Tax guide\n\n## Filing\n\n### Online\n\nUse the **app**.\n"
        "- first item\n- second item\n\n## Hotline\n\nCall 12366.\n",
        encoding="utf-8",
    )
    document = parse_document(path)
    assert document.meta.title == "Tax guide"
    assert document.meta.source_url == "https://www.chinatax.gov.cn/"
    assert document.meta.last_verified == date(2026, 11, 30) and not document.warnings
    assert [(b.headings, b.text) for b in document.blocks] == [
        (("Tax guide", "Filing", "Online"), "Use the app."),
        (("Tax guide", "Filing", "Online"), "first item"),
        (("Tax guide", "Filing", "Online"), "second item"),
        (("Tax guide", "Hotline"), "Call 12366."),
    ]


def test_plain_text_reads_headings_and_its_side_file(tmp_path: Path) -> None:
    path = tmp_path / "flat.zh.txt"
    path.write_text("在长沙租房\n\n押金\n\n常见的是押一付三。\n请保留合同。\n", encoding="utf-8")
    side(path, "title: 租房指南\nsource: TalentDesk\nlast_verified: 2026-11-01\n")
    document = parse_document(path)
    assert document.meta.title == "租房指南" and document.meta.language == "zh"
    assert document.meta.source_name == "TalentDesk"
    # Chinese lines join without a space; the one-line paragraphs are headings.
    assert [(b.headings, b.text) for b in document.blocks] == [
        (("在长沙租房", "押金"), "常见的是押一付三。请保留合同。")
    ]


def test_html_drops_navigation_and_scripts_and_reads_meta_tags(tmp_path: Path) -> None:
    path = tmp_path / "permit.html"
    path.write_text(
        '<html lang="en"><head><title>Work permits</title>'
        '<meta name="source" content="MOST"><meta name="last-verified" content="2026-10-01">'
        "<script>var tracking = 1;</script></head><body><nav>Home &gt; Guides</nav>"
        "<main><h1>Work permits</h1><h2>Categories</h2><p>Category <b>A</b> is for high-end"
        " talent.</p><ul><li>Category B</li></ul></main><footer>Copyright</footer></body></html>",
        encoding="utf-8",
    )
    document = parse_document(path)
    assert document.meta.title == "Work permits" and document.meta.language == "en"
    assert document.meta.source_name == "MOST"
    assert document.meta.last_verified == date(2026, 10, 1)
    texts = [b.text for b in document.blocks]
    assert texts == ["Category A is for high-end talent.", "Category B"]
    assert document.blocks[0].headings == ("Work permits", "Categories")


def test_pdf_splits_on_its_bookmarks_and_reads_chinese(tmp_path: Path) -> None:
    path = write_pdf_document(tmp_path / "tax.zh.pdf", CHINESE_MARKDOWN, "个人所得税")
    document = parse_document(path)
    assert document.meta.title == "个人所得税" and document.meta.language == "zh"
    assert document.pages == 1
    (block,) = document.blocks
    assert block.headings == ("个人所得税", "年度汇算")
    assert "3月1日至6月30日" in block.text and " " not in block.text


def test_docx_splits_on_heading_styles(tmp_path: Path) -> None:
    path = write_docx_document(tmp_path / "tax.docx")
    document = parse_document(path)
    assert document.meta.title == "Income tax" and document.meta.language == "en"
    assert document.blocks[0].headings == ("Income tax", "Annual reconciliation")
    assert document.blocks[-1] == document.blocks[-1].__class__(
        ("Income tax", "Hotline"), "Call 12366 for help with tax questions."
    )


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("broken.pdf", b"%PDF-1.4\nthis is not really a PDF", "unreadable"),
        ("broken.docx", b"PK\x03\x04 not a zip", "unreadable"),
        ("latin1.txt", "Café déjà vu".encode("latin-1"), "unreadable"),
        ("empty.md", b"---\ntitle: Nothing\n---\n\n", "empty"),
        ("notes.rtf", b"{\\rtf1 hello}", "unsupported"),
    ],
)
def test_bad_documents_raise_with_a_kind_and_a_fix(
    tmp_path: Path, name: str, content: bytes, kind: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as raised:
        parse_document(path)
    assert raised.value.kind == kind and raised.value.fix


def test_scanned_pdf_is_told_apart_from_an_empty_one(tmp_path: Path) -> None:
    with pytest.raises(DocumentError) as raised:
        parse_document(write_scanned_pdf(tmp_path / "scan.pdf"))
    assert raised.value.kind == "scanned" and "OCR" in raised.value.fix


def test_a_document_without_a_date_gets_the_file_date_and_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# Note\n\nSome text.\n", encoding="utf-8")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    document = parse_document(path)
    assert document.meta.last_verified == date.fromtimestamp(1_700_000_000)
    assert not document.meta.declared
    assert any("last_verified" in warning for warning in document.warnings)
    assert document.meta.title == "Note" and document.meta.language == "en"


def test_a_bad_side_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("Some text.\n", encoding="utf-8")
    side(path, "last_verified: yesterday\n")
    with pytest.raises(DocumentError, match="YYYY-MM-DD"):
        parse_document(path)
