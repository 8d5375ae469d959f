"""Real documents of every kind, written into a temporary folder by the tests."""

from __future__ import annotations

from pathlib import Path

from actions.knowledge.articles.samples import write_docx, write_pdf

TAX_MARKDOWN = """\
# Income tax

## Annual reconciliation

Residents reconcile their income tax between 1 March and 30 June of the following year.
Refunds are paid to a Chinese bank account.

## Hotline

Call 12366 for help with tax questions.
"""

INSURANCE_MARKDOWN = """\
# Social insurance

## The five insurances

Foreign employees join pension, medical, work-injury, unemployment and maternity insurance.
"""

CHINESE_MARKDOWN = """\
# 个人所得税

## 年度汇算

居民个人应当在次年3月1日至6月30日办理年度汇算。多缴的税款可以申请退税。
"""


def write_pdf_document(path: Path, body: str = TAX_MARKDOWN, title: str = "Income tax") -> Path:
    write_pdf(body, title, path)
    return path


def write_docx_document(path: Path, body: str = TAX_MARKDOWN, language: str = "en") -> Path:
    write_docx(body, "Income tax", language, path)
    return path


def write_scanned_pdf(path: Path) -> Path:
    """A PDF whose only page is a picture, like a scan without OCR."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("RGB", (200, 100), "white")
    page = canvas.Canvas(str(path))
    page.drawImage(ImageReader(picture), 50, 500, width=200, height=100)
    page.showPage()
    page.save()
    return path


def side(path: Path, text: str) -> None:
    path.with_name(path.name + ".yml").write_text(text, encoding="utf-8")
