"""Turning what the assistant missed into knowledge, checked by the knowledge checker."""

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from bot.language.registry import LanguageRegistry
from bot.staff.knowledge import StaffKnowledge
from bot.staff.knowledge_edit import EntryDraft, KnowledgeEditError, KnowledgeEditor
from bot.staff.missed import MissedQuestions
from bot.storage.unanswered import UnansweredLog, UnansweredQuestion
from tests.conftest import PROJECT_ROOT

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday of ISO week 10


@pytest.fixture
def knowledge(tmp_path) -> StaffKnowledge:
    folder = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", folder, ignore=shutil.ignore_patterns("articles"))
    return StaffKnowledge(folder, LanguageRegistry.load().codes)


@pytest.fixture
def editor(knowledge) -> KnowledgeEditor:
    return KnowledgeEditor(knowledge, LanguageRegistry.load().codes)


def ask(log, text, language, entry, when) -> None:
    log.record(
        UnansweredQuestion(when, text, language, "web", "web:x", entry, 0.1, "low_confidence")
    )


def test_missed_questions_are_grouped_by_entry_language_and_week(engine) -> None:
    log = UnansweredLog(engine)
    ask(log, "bank card?", "en", "banking-open-account", NOW)
    ask(log, "card for bank", "en", "banking-open-account", NOW - timedelta(hours=1))
    ask(log, "银行卡", "zh", "banking-open-account", NOW)
    ask(log, "old one", "en", "banking-open-account", NOW - timedelta(weeks=1))
    ask(log, "", "fr", None, NOW)  # text blanked by retention: counted, not shown
    missed = MissedQuestions(engine)
    groups = missed.groups(now=NOW)
    first = groups[0]
    assert (first.entry_id, first.language, first.week, first.count) == (
        "banking-open-account",
        "en",
        "2026-W10",
        2,
    )
    assert [text for _, text in first.examples] == ["bank card?", "card for bank"]
    assert sum(g.count for g in groups) == 5
    assert next(g for g in groups if g.language == "fr").examples == []
    weeks = missed.per_week(weeks=3, now=NOW)
    assert weeks == [("2026-W08", 0), ("2026-W09", 1), ("2026-W10", 4)]


def test_a_missed_question_becomes_a_question_of_an_entry(knowledge, editor) -> None:
    entry_id = "police-registration-24-hours"
    path = editor.add_question(entry_id, "en", "Must I see the police after I land?")
    assert path.name == f"{entry_id}.md"
    knowledge_again = StaffKnowledge(knowledge.folder, LanguageRegistry.load().codes)
    entry = knowledge_again.get(entry_id)
    assert "Must I see the police after I land?" in entry.questions["en"]
    assert entry.answers["zh"]  # the rest of the entry survived the rewrite
    with pytest.raises(KnowledgeEditError):
        editor.add_question("no-such-entry", "en", "x")


def draft(**changes) -> EntryDraft:
    values = {
        "id": "hall-wifi",
        "category": "community",
        "title_en": "Wi-Fi in the service hall",
        "title_zh": "服务大厅无线网络",
        "questions": {
            "en": ["Is there wifi in the hall?", "What is the hall's Wi-Fi password?"],
            "zh": ["大厅有无线网络吗？", "大厅的WiFi密码是多少？"],
        },
        "answer_en": "Yes: the network **TalentDesk-Guest**, no password.",
        "answer_zh": "有：网络名称 **TalentDesk-Guest**，无需密码。",
        "source_name": "Service hall front desk",
        "source_url": None,
    }
    values.update(changes)
    return EntryDraft(**values)


def test_a_new_entry_draft_is_written_once_it_passes_the_checker(knowledge, editor) -> None:
    path = editor.create_entry(draft())
    assert path == knowledge.folder / "community" / "hall-wifi.md"
    entry = knowledge.get("hall-wifi")
    assert entry.answers["en"].startswith("Yes: the network")
    assert entry.questions["zh"] == ["大厅有无线网络吗？", "大厅的WiFi密码是多少？"]
    with pytest.raises(KnowledgeEditError, match="taken"):
        editor.create_entry(draft())


@pytest.mark.parametrize(
    "changes",
    [
        {"id": "Bad Id"},
        {"id": "../escape"},
        {"category": "nowhere"},
        {"answer_zh": ""},
        {"title_en": ""},
        {"questions": {"en": ["Only one way to ask?"], "zh": ["一", "二"]}},
    ],
)
def test_a_draft_the_checker_refuses_is_not_saved(knowledge, editor, changes) -> None:
    before = sorted(p.name for p in knowledge.folder.rglob("*"))
    with pytest.raises(KnowledgeEditError):
        editor.create_entry(draft(**changes))
    assert sorted(p.name for p in knowledge.folder.rglob("*")) == before
