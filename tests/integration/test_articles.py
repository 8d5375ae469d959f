"""Answers quoted from articles through the running assistant (real Rasa, real action server,
real embeddings, the real parsers over the shipped Markdown, PDF and DOCX articles)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions.knowledge.articles.samples import write_docx, write_pdf
from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant
from tests.processes import wait_until
from tests.unit.knowledge.articles.helpers import side

pytestmark = pytest.mark.integration


# Documents a member of staff drops in (made-up notices of a test hall, built by the real PDF
# and DOCX writers): facts no Q&A entry covers, so the passage must answer.
PRINTING = """# Printing at the hall

## Self-service printer

The self-service printer beside counter 7 prints and copies documents for 0.5 yuan per page.
"""
PRINTING_ZH = """# 大厅打印服务

## 自助打印机

7号窗口旁的自助打印机可以打印和复印材料，每页收费0.5元。
"""
LOST = """# Lost property at the hall

## Lost and found desk

Items left in the hall are kept at the lost and found desk beside counter 1 for 30 days.
"""
LOST_ZH = """# 大厅失物招领

## 失物招领处

在大厅遗失的物品由1号窗口旁的失物招领处保管30天。
"""
PARKING = """---
title: Parking at the hall
language: en
source: Service hall notice
last_verified: 2026-12-01
---
# Parking at the hall

## Visitor parking

Visitors park free of charge for two hours in the underground car park; its entrance is on the
east side of the building.
"""
PARKING_ZH = """---
title: 大厅停车
language: zh
source: 服务大厅通知
last_verified: 2026-12-01
---
# 大厅停车

## 访客停车

访客在地下停车场可免费停车两小时，停车场入口在大楼东侧。
"""
DATED = "source: Service hall notice\nlast_verified: 2026-12-01\n"


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """An assistant of its own: these tests add documents to its knowledge copy."""
    assistant = start_assistant(tmp_path_factory.mktemp("articles"))
    folder = assistant.knowledge / "articles"
    for name, body, language in (
        ("printing.en.docx", PRINTING, "en"),
        ("printing.zh.docx", PRINTING_ZH, "zh"),
    ):
        write_docx(body, body.splitlines()[0][2:], language, folder / name)
        side(folder / name, DATED)
    for name, body in (("parking.en.md", PARKING), ("parking.zh.md", PARKING_ZH)):
        (folder / name).write_text(body, encoding="utf-8")
    for name, body in (("lost-property.en.pdf", LOST), ("lost-property.zh.pdf", LOST_ZH)):
        write_pdf(body, body.splitlines()[0][2:], folder / name)
        side(folder / name, DATED)
    yield assistant
    stop_assistant(assistant)


def passage_reply(assistant: RunningAssistant, user: str, text: str) -> dict:
    body = assistant.chat(user, text).json()
    kinds = [reply["kind"] for reply in body["replies"]]
    assert "passage_answer" in kinds, f"{text!r} got {kinds}: {body}"
    return next(r for r in body["replies"] if r["kind"] == "passage_answer")


@pytest.mark.parametrize(
    ("question", "document", "fact", "verified"),
    [
        # Markdown (dropped in; the shipped articles' facts are all in Q&A entries too, and
        # entries win over passages)
        ("How long can visitors park for free at the hall?", "parking.en.md", "two hours",
         "2026-12-01"),
        ("访客在大厅停车免费多久？", "parking.zh.md", "两小时", "2026-12-01"),
        # PDF (dropped in)
        ("How long are items left in the hall kept?", "lost-property.en.pdf", "30 days",
         "2026-12-01"),
        ("在大厅丢了东西会保管多久？", "lost-property.zh.pdf", "30天", "2026-12-01"),
        # DOCX (dropped in)
        ("How much does the self-service printer cost per page?", "printing.en.docx",
         "0.5 yuan", "2026-12-01"),
        ("自助打印机每页收费多少？", "printing.zh.docx", "0.5元", "2026-12-01"),
    ],
)  # fmt: skip
def test_a_question_is_answered_from_the_right_document(
    running: RunningAssistant, question: str, document: str, fact: str, verified: str
) -> None:
    def answered() -> bool:  # the dropped-in documents are indexed within seconds
        body = running.chat(f"art-wait-{document}", question).json()
        return any(r["kind"] == "passage_answer" for r in body["replies"])

    assert wait_until(answered, timeout=120, interval=1)
    reply = passage_reply(running, f"art-{document}-{len(question)}", question)
    assert reply["data"]["document"] == document
    assert fact in reply["text"] and "**" in reply["text"]
    assert reply["source"]["name"] and reply["source"]["last_verified"] == verified
    assert reply["data"]["reference"] in reply["notes"][-1]  # "quoted from the document: ..."


def test_a_passage_nearly_as_close_follows_the_entry_answer(running: RunningAssistant) -> None:
    # The entry on newborns answers; the exit-entry law's article is the detail it does not give.
    question = "在中国出生的外国婴儿，出生登记依据的是哪一条法律？"
    body = running.chat("art-after-entry", question).json()
    answer, quote = (
        r for r in body["replies"] if r["kind"] in ("knowledge_answer", "passage_answer")
    )
    assert answer["kind"] == "knowledge_answer"
    assert answer["data"]["entry_id"] == "family-newborn-registration"
    assert (
        quote["kind"] == "passage_answer"
        and quote["data"]["after_entry"] == answer["data"]["entry_id"]
    )
    assert quote["data"]["document"] == "exit-entry-rules.zh.md"
    assert "第四十条" in quote["notes"][-1] and "60日内" in quote["text"]


def test_a_document_added_while_running_answers(running: RunningAssistant) -> None:
    path = running.knowledge / "articles" / "hall-cafe.en.md"
    path.write_text(
        "---\ntitle: The hall's canteen\nlanguage: en\nsource: Service hall notice\n"
        "last_verified: 2026-12-01\n---\n# The hall's canteen\n\n## Prices\n\n"
        "The staff canteen on the ground floor serves visitors a lunch set for 18 yuan. "
        "It accepts Alipay and WeChat Pay.\n",
        encoding="utf-8",
    )
    question = "How much is a lunch set in the staff canteen?"

    def answered() -> bool:
        body = running.chat("art-live", question).json()
        return any(
            r["kind"] == "passage_answer" and r["data"]["document"] == "hall-cafe.en.md"
            for r in body["replies"]
        )

    assert wait_until(answered, timeout=120, interval=1)
    assert "18 yuan" in passage_reply(running, "art-live-2", question)["text"]


def test_a_broken_pdf_is_reported_and_skipped_while_everything_else_answers(
    running: RunningAssistant,
) -> None:
    broken = running.knowledge / "articles" / "scanned-notice.en.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% truncated")
    side(broken, "title: A notice\nlast_verified: 2026-12-01\n")
    question = "How much does the self-service printer cost per page?"

    def reported() -> bool:  # the articles are looked at again when a question comes in
        running.chat("art-after-broken", question)
        return "scanned-notice.en.pdf: unreadable" in running.log()

    assert wait_until(reported, timeout=120, interval=1)
    reply = passage_reply(running, "art-after-broken", question)
    assert reply["data"]["document"] == "printing.en.docx"
    body = running.chat("art-entry", "how do I apply for a residence permit?").json()
    assert any(r["kind"] == "knowledge_answer" for r in body["replies"])
