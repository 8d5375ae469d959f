from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine

from actions.faq import ActionAnswerFromKnowledge, entry_payload
from actions.interface_strings import interface_string
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import HashingEmbedder
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.unanswered import UnansweredLog
from tests.fakes import make_tracker, rich_replies
from tests.unit.knowledge.helpers import write_entry, write_knowledge


@pytest.fixture
def knowledge(tmp_path: Path, registry) -> KnowledgeBase:
    folder = write_knowledge(tmp_path / "knowledge")
    write_entry(folder, "sim-card")
    (folder / "phone" / "sim-card.md").write_text(
        (folder / "phone" / "sim-card.md").read_text() + "\n## fr\n\nApportez votre passeport.\n"
    )
    base = KnowledgeBase(folder, tmp_path / "index", HashingEmbedder(), registry.codes)
    base.warm_up()
    return base


@pytest.fixture
def unanswered(tmp_path: Path) -> UnansweredLog:
    engine = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)
    return UnansweredLog(engine)


@pytest.fixture
def action(knowledge, unanswered) -> ActionAnswerFromKnowledge:
    return ActionAnswerFromKnowledge(knowledge, unanswered, {"en": 0.3, "zh": 0.3, "other": 0.3})


async def run(
    action, text: str, language: str = "en", intent: str = "ask_knowledge", entities=None
):
    tracker = make_tracker(
        text=text,
        intent=intent,
        metadata={"language": language, "channel": "web", "original_text": text},
    )
    if entities:
        tracker.latest_message["entities"] = entities
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker, {})
    return rich_replies(dispatcher)


async def test_confident_answer_has_source_and_date(action) -> None:
    (reply,) = await run(action, "how do i apply for a residence permit")
    assert reply["kind"] == "knowledge_answer" and reply["language"] == "en"
    assert "30 days" in reply["text"]
    assert reply["source"] == {
        "name": "National Immigration Administration",
        "url": "https://www.nia.gov.cn/",
        "last_verified": "2026-11-01",
        "entry_id": "residence-permit-apply",
    }
    assert reply["data"]["chinese_answer"].startswith("请在入境后")


async def test_chinese_question_gets_the_chinese_answer(action) -> None:
    (reply,) = await run(action, "居留许可怎么申请", language="zh")
    assert reply["language"] == "zh" and "30日" in reply["text"]


async def test_other_languages_get_their_own_section_or_english(action) -> None:
    (own,) = await run(action, "where can i buy a sim card", language="fr")
    assert (own["language"], own["text"]) == ("fr", "Apportez votre passeport.")
    (pivot,) = await run(action, "where do i register my address with the police", language="de")
    assert pivot["language"] == "en"


async def test_not_sure_offers_suggestions_a_person_and_records_it(action, unanswered) -> None:
    not_sure, person = await run(action, "something about a sim or a permit maybe")
    assert not_sure["kind"] == "not_sure"
    assert 1 <= len(not_sure["buttons"]) <= 3
    assert all(b["payload"].startswith("/ask_knowledge{") for b in not_sure["buttons"])
    assert person["kind"] == "reach_a_person" and "12345" in person["text"]
    (record,) = unanswered.recent()
    assert (record.text, record.language, record.channel, record.reason) == (
        "something about a sim or a permit maybe",
        "en",
        "web",
        "low_confidence",
    )


async def test_a_suggestion_button_opens_that_entry(action) -> None:
    payload = entry_payload("sim-card")
    assert payload == '/ask_knowledge{"entry_id": "sim-card"}'
    (reply,) = await run(action, payload, entities=[{"entity": "entry_id", "value": "sim-card"}])
    assert reply["source"]["entry_id"] == "sim-card"


async def test_out_of_scope_is_declined_without_suggestions(action, unanswered) -> None:
    declined, _ = await run(action, "tell me a joke about bitcoin", intent="out_of_scope")
    assert declined["buttons"] == [] if "buttons" in declined else True
    assert declined["text"] == interface_string("out_of_scope", "en")
    assert declined["data"]["string"] == "out_of_scope"
    assert unanswered.recent()[0].reason == "out_of_scope"


async def test_a_database_failure_does_not_lose_the_reply(knowledge) -> None:
    broken = UnansweredLog(create_engine("sqlite:////nonexistent-dir/x.db"))
    action = ActionAnswerFromKnowledge(knowledge, broken, {"en": 0.99, "zh": 0.99, "other": 0.99})
    replies = await run(action, "sim card please")
    assert [r["kind"] for r in replies] == ["not_sure", "reach_a_person"]


async def test_the_documents_button_asks_which_procedure(action) -> None:
    """The kiosk's "documents" task names no procedure: the answer offers the procedures."""
    (reply,) = await run(action, "/documents_needed", "fr", intent="documents_needed")
    assert reply["data"]["string"] == "documents_which"
    assert reply["text"] == "Which procedure do you need documents for?"
    # Only the document entries the knowledge base has become buttons (none in this fixture).
    assert reply.get("buttons", []) == []


async def test_no_answer_names_its_interface_string(action) -> None:
    replies = await run(action, "zzqx vvbn", "ar", intent="nlu_fallback")
    assert replies[0]["kind"] == "not_sure"
    assert "buttons" not in replies[0]  # nothing in the base resembles it
    assert replies[0]["data"]["string"] == "no_answer"
    assert replies[0]["text"] == "Sorry, I don't have an answer to that."
