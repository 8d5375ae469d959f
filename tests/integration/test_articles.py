"""Answers quoted from articles through the running assistant (real Rasa, real action server,
real embeddings, the real parsers over the shipped Markdown, PDF and DOCX articles)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant
from tests.processes import wait_until
from tests.unit.knowledge.articles.helpers import side

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """An assistant of its own: these tests add documents to its knowledge copy."""
    assistant = start_assistant(tmp_path_factory.mktemp("articles"))
    yield assistant
    stop_assistant(assistant)


def passage_reply(assistant: RunningAssistant, user: str, text: str) -> dict:
    body = assistant.chat(user, text).json()
    kinds = [reply["kind"] for reply in body["replies"]]
    assert "passage_answer" in kinds, f"{text!r} got {kinds}: {body}"
    return next(r for r in body["replies"] if r["kind"] == "passage_answer")


@pytest.mark.parametrize(
    ("question", "document", "fact"),
    [
        # Markdown
        ("What is the fine per day for overstaying in China?", "exit-entry-rules.en.md", "500"),
        ("非法居留每天罚款多少？", "exit-entry-rules.zh.md", "500元"),
        # PDF
        ("What tax rate applies to income above 960,000 yuan?",
         "income-tax-for-foreigners.en.pdf", "45%"),
        ("应纳税所得额超过960000元的税率是多少？", "income-tax-for-foreigners.zh.pdf", "45%"),
        # DOCX
        ("Which insurances are paid only by the employer?",
         "social-insurance-for-foreign-employees.en.docx", "maternity"),
        ("工伤保险和生育保险由谁缴费？", "social-insurance-for-foreign-employees.zh.docx", "单位"),
    ],
)  # fmt: skip
def test_a_question_is_answered_from_the_right_document(
    running: RunningAssistant, question: str, document: str, fact: str
) -> None:
    reply = passage_reply(running, f"art-{document}-{len(question)}", question)
    assert reply["data"]["document"] == document
    assert fact in reply["text"] and "**" in reply["text"]
    assert reply["source"]["name"] and reply["source"]["last_verified"] == "2026-12-02"
    assert reply["data"]["reference"] in reply["notes"][-1]  # "quoted from the document: ..."


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
    assert wait_until(lambda: "scanned-notice.en.pdf: unreadable" in running.log(), timeout=120)
    question = "Which insurances are paid only by the employer?"
    reply = passage_reply(running, "art-after-broken", question)
    assert reply["data"]["document"] == "social-insurance-for-foreign-employees.en.docx"
    body = running.chat("art-entry", "how do I apply for a residence permit?").json()
    assert any(r["kind"] == "knowledge_answer" for r in body["replies"])
