"""Knowledge answers through the running assistant (real Rasa, real action server, real
MiniLM embeddings)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.storage.database import create_database_engine
from bot.storage.unanswered import UnansweredLog
from tests.conftest import PROJECT_ROOT, last_verified
from tests.integration.conftest import RunningAssistant
from tests.processes import wait_until

pytestmark = pytest.mark.integration


def knowledge_reply(body: dict) -> dict:
    return next(r for r in body["replies"] if r["kind"] == "knowledge_answer")


def test_english_question_gets_the_entry_in_english_with_source(
    assistant: RunningAssistant,
) -> None:
    body = assistant.chat("kb-en", "how do I apply for a residence permit?").json()
    reply = knowledge_reply(body)
    assert reply["language"] == "en"
    assert reply["source"]["entry_id"] == "residence-permit-first-application"
    assert reply["source"]["last_verified"] == last_verified("residence-permit-first-application")
    assert reply["source"]["name"] and "30 days" in reply["text"]


def test_the_same_question_in_chinese_gets_the_chinese_answer(assistant: RunningAssistant) -> None:
    body = assistant.chat("kb-zh", "怎么申请居留许可").json()
    reply = knowledge_reply(body)
    assert reply["language"] == "zh"
    assert reply["source"]["entry_id"] == "residence-permit-first-application"
    assert "30日" in reply["text"]


def test_an_unanswerable_question_is_not_guessed_and_is_recorded(
    assistant: RunningAssistant,
) -> None:
    body = assistant.chat("kb-oos", "what is the bitcoin price today").json()
    kinds = [r["kind"] for r in body["replies"]]
    assert "knowledge_answer" not in kinds and "not_sure" in kinds
    log = UnansweredLog(create_database_engine(assistant.settings.storage.database_url))
    assert any(q.text == "what is the bitcoin price today" for q in log.recent())


def test_a_malformed_file_is_reported_and_skipped_while_running(
    assistant: RunningAssistant,
) -> None:
    broken = assistant.knowledge / "visas" / "broken-entry.md"
    broken.write_text("---\nid: broken-entry\ncategory: visas\ntitle: [oops\n---\n## en\nx\n")
    new = assistant.knowledge / "daily-life" / "hall-cafe.md"
    new.write_text(
        "---\nid: hall-cafe\ncategory: daily-life\n"
        "title: {en: The cafe in the hall, zh: 大厅咖啡角}\n"
        "questions:\n  en:\n    - Is there a zorblat cafe in the hall?\n"
        "    - Where can I get zorblat coffee?\n"
        "  zh:\n    - 大厅有佐布拉咖啡吗？\n    - 哪里能喝佐布拉咖啡？\n"
        "source: {name: Daze Lake service hall}\nlast_verified: 2026-11-01\n---\n\n"
        "## en\n\nThe zorblat coffee corner is next to counter 7.\n\n"
        "## zh\n\n佐布拉咖啡角在7号窗口旁边。\n"
    )
    try:
        env = dict(os.environ, TALENTDESK_KNOWLEDGE__FOLDER=str(assistant.knowledge))
        command = [sys.executable, "-m", "actions.knowledge", "check"]
        check = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert check.returncode == 1
        assert "broken-entry.md:4: broken YAML" in check.stdout
        assert "1 with problems" in check.stdout

        # The running assistant reloads: the new entry answers, every other entry still does.
        def new_entry_answers() -> bool:
            body = assistant.chat("kb-reload", "is there a zorblat cafe in the hall?").json()
            return any(
                r.get("source") and r["source"]["entry_id"] == "hall-cafe" for r in body["replies"]
            )

        assert wait_until(new_entry_answers, timeout=60)
        body = assistant.chat("kb-reload-2", "怎么申请居留许可").json()
        assert knowledge_reply(body)["source"]["entry_id"] == "residence-permit-first-application"
    finally:
        broken.unlink(missing_ok=True)
        new.unlink(missing_ok=True)
