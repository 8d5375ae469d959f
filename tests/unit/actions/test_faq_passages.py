"""The FAQ action answering from article passages (real parsers, fake embedder)."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import passage_answer
from actions.faq import ActionAnswerFromKnowledge
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import HashingEmbedder
from actions.passage_answer import send_passage_answer
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.unanswered import UnansweredLog
from tests.fakes import make_tracker, rich_replies
from tests.unit.knowledge.articles.helpers import side
from tests.unit.knowledge.helpers import write_entry, write_knowledge

ENGLISH = """\
---
title: Income tax guide
language: en
source:
  name: State Taxation Administration
  url: https://www.chinatax.gov.cn/
last_verified: 2026-11-30
---
# Income tax guide

## Annual reconciliation

Tax is withheld by the employer every month. The annual reconciliation runs from 1 March to
30 June of the following year. Refunds go to a Chinese bank account. The app also prints
records.
"""
CHINESE = """\
# 个人所得税指南

## 年度汇算

单位每月预扣税款。年度汇算的时间为次年3月1日至6月30日。退税款退到中国的银行账户。
"""


@pytest.fixture
def setup(tmp_path: Path, registry):
    folder = write_knowledge(tmp_path / "knowledge")
    articles = folder / "articles"
    articles.mkdir()
    (articles / "tax.en.md").write_text(ENGLISH, encoding="utf-8")
    (articles / "tax.zh.txt").write_text(CHINESE, encoding="utf-8")
    side(
        articles / "tax.zh.txt",
        "title: 个人所得税指南\nlast_verified: 2026-11-30\nsource: 税务总局\n",
    )
    base = KnowledgeBase(folder, tmp_path / "index", HashingEmbedder(), registry.codes)
    base.warm_up()
    engine = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)
    action = ActionAnswerFromKnowledge(
        base, UnansweredLog(engine), thresholds={"en": 0.3, "zh": 0.3, "other": 0.3}
    )
    return base, action, engine


async def ask(action, text: str, language: str = "en") -> list[dict]:
    tracker = make_tracker(
        text=text,
        intent="ask_knowledge",
        metadata={"language": language, "channel": "web", "original_text": text},
    )
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker, {})
    return rich_replies(dispatcher)


async def test_a_question_only_an_article_answers_quotes_the_passage(setup) -> None:
    _, action, engine = setup
    (reply,) = await ask(action, "when does the annual tax reconciliation run")
    assert reply["kind"] == "passage_answer" and reply["language"] == "en"
    assert "**The annual reconciliation runs from 1 March to 30 June" in reply["text"]
    assert "prints records" not in reply["text"]  # trimmed to the answering sentences
    assert reply["source"] == {
        "name": "State Taxation Administration",
        "url": "https://www.chinatax.gov.cn/",
        "last_verified": "2026-11-30",
    }
    data = reply["data"]
    assert (data["document"], data["section"]) == ("tax.en.md", "Annual reconciliation")
    assert data["reference"] == "Income tax guide › Annual reconciliation"
    assert data["chinese_passage"].startswith("单位每月预扣税款")  # for the counter
    (row,) = UnansweredLog(engine).recent()
    assert (row.reason, row.best_entry_id) == ("passage_answer", "articles/tax.en.md#0")


async def test_a_chinese_question_gets_the_chinese_passage(setup) -> None:
    _, action, _ = setup
    (reply,) = await ask(action, "年度汇算的时间是什么时候", language="zh")
    assert reply["kind"] == "passage_answer" and reply["language"] == "zh"
    assert "**年度汇算的时间为次年3月1日至6月30日。**" in reply["text"]
    assert "chinese_passage" not in reply["data"]  # the text itself is the Chinese


async def test_entries_written_by_staff_win_over_passages(setup) -> None:
    base, action, _ = setup
    # The article also talks about residence permits, but the entry answers.
    extra = base.folder / "articles" / "permit.md"
    extra.write_text("# Permits\n\nApply for a residence permit within 30 days of entry.\n")
    base.refresh(force=True)
    (reply,) = await ask(action, "how do i apply for a residence permit")
    assert reply["kind"] == "knowledge_answer"


SIM_NOTICE = """# Phone shops near the hall

## Prepaid SIM cards

A prepaid SIM card for a foreign passport holder costs 50 yuan at the airport counter.
"""


async def test_a_passage_nearly_as_close_is_quoted_after_the_entry_answer(
    setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, action, engine = setup
    (base.folder / "articles" / "sim.md").write_text(SIM_NOTICE, encoding="utf-8")
    base.refresh(force=True)
    question = "where can i buy a prepaid sim card for my passport"
    # Any lead is "nearly as close" with this gap: the fake embedder's cosines are not the
    # real model's, so the test pins the wiring, and the rule's figures are tested below.
    monkeypatch.setitem(passage_answer.SUPPLEMENT_GAP, "en", 1.0)
    answer, quote = await ask(action, question)
    assert answer["kind"] == "knowledge_answer" and answer["data"]["entry_id"] == "sim-card"
    assert quote["kind"] == "passage_answer"
    assert "**A prepaid SIM card for a foreign passport holder costs 50 yuan" in quote["text"]
    assert quote["data"]["after_entry"] == "sim-card"
    assert UnansweredLog(engine).recent() == []  # the entry answered: nothing for staff

    monkeypatch.setitem(passage_answer.SUPPLEMENT_GAP, "en", -1.0)
    (alone,) = await ask(action, question)
    assert alone["kind"] == "knowledge_answer"


async def test_no_passage_follows_a_policy_that_has_ended(
    setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, action, _ = setup
    (base.folder / "articles" / "sim.md").write_text(SIM_NOTICE, encoding="utf-8")
    entry = write_entry(base.folder, "sim-card")
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("tags:", "valid_until: 2026-06-30\ntags:"), encoding="utf-8")
    base.refresh(force=True)
    monkeypatch.setitem(passage_answer.SUPPLEMENT_GAP, "en", 1.0)
    (reply,) = await ask(action, "where can i buy a prepaid sim card for my passport")
    assert reply["kind"] == "policy_expired"


async def test_a_chinese_passage_shown_to_an_english_reader_keeps_the_chinese(
    setup,
) -> None:
    base, _, _ = setup
    (base.folder / "articles" / "tax.en.md").unlink()
    base.refresh(force=True)
    _, (hit,) = base.search_with_passages("年度汇算", 1)
    dispatcher = CollectingDispatcher()
    send_passage_answer(dispatcher, hit, base.passages, "年度汇算", reader="en")
    (reply,) = rich_replies(dispatcher)
    # No English translation of the document: the original, which the gateway may translate,
    # with the Chinese kept in data for the printable card.
    assert reply["language"] == "zh" and "6月30日" in reply["text"]
    assert reply["data"]["found_in"] == "tax.zh.txt"


async def test_nothing_answers_still_says_not_sure(setup) -> None:
    _, action, _ = setup
    replies = await ask(action, "what is the weather on mars")
    assert replies[0]["kind"] == "not_sure"


def test_a_sure_passage_answers_unless_the_best_entry_clearly_leads_it() -> None:
    from actions.knowledge.articles.passages import Passage
    from actions.knowledge.articles.store import PassageHit
    from actions.knowledge.index import Hit
    from actions.passage_answer import DENSE_GAP, LEXICAL_CREDIT, passage_wins

    SURE = 0.5  # the confidence at which the entry would answer

    def passage(dense: float, lexical: float, confidence: float = 0.4) -> PassageHit:
        return PassageHit(mock.Mock(spec=Passage), 0.0, dense, lexical, confidence)

    def entry(
        dense: float, lexical: float, native: float | None = None, confidence: float = 0.9
    ) -> Hit:
        native_dense = dense if native is None else native
        return Hit(mock.Mock(), 0.0, dense, lexical, confidence, native_dense=native_dense)

    assert passage_wins(passage(0.85, 0.5), None, "en", SURE)
    assert not passage_wins(passage(0.85, 0.5, confidence=0.0), None, "en", SURE)  # not sure at all
    # The entry's cosine runs higher for the same relevance: a small lead is not enough.
    assert passage_wins(passage(0.85, 0.5), entry(0.85 + DENSE_GAP / 2, 0.5), "en", SURE)
    assert not passage_wins(passage(0.85, 0.5), entry(0.85 + DENSE_GAP * 2, 0.5), "en", SURE)
    # Words of the question that only the passage has count against the entry's lead...
    credit = LEXICAL_CREDIT * 0.5
    assert passage_wins(passage(0.85, 0.9), entry(0.85 + DENSE_GAP + credit / 2, 0.4), "en", SURE)
    # ...except where there is no lexical side.
    assert not passage_wins(
        passage(0.85, 0.9), entry(0.85 + DENSE_GAP + credit / 2, 0.4), "other", SURE
    )
    # A question in another language meets the entry's variants in its own language from close
    # by; the English and Chinese passage is weighed against the entry's English and Chinese,
    # where no entry answers confidently.
    unsure = entry(0.85 + DENSE_GAP * 3, 0.0, native=0.85 + DENSE_GAP / 2, confidence=SURE / 2)
    assert passage_wins(passage(0.85, 0.0), unsure, "other", SURE)
    assert not passage_wins(passage(0.85, 0.0), unsure, "en", SURE)
    # An entry that would answer confidently keeps its staff-written answer.
    sure = entry(0.85 + DENSE_GAP * 3, 0.0, native=0.85 + DENSE_GAP / 2, confidence=SURE)
    assert not passage_wins(passage(0.85, 0.0), sure, "other", SURE)
    # Nor does a passage answer when the entry's English or Chinese documents clearly lead it.
    ahead = entry(0.85 + DENSE_GAP * 3, 0.0, native=0.85 + DENSE_GAP * 2, confidence=SURE / 2)
    assert not passage_wins(passage(0.85, 0.0), ahead, "other", SURE)


def test_a_passage_is_quoted_after_the_answer_when_the_entry_barely_leads_it() -> None:
    from actions.knowledge.articles.passages import Passage
    from actions.knowledge.articles.store import PassageHit
    from actions.knowledge.index import Hit
    from actions.passage_answer import SUPPLEMENT_GAP, passage_adds_to

    def passage(dense: float, confidence: float = 0.4) -> PassageHit:
        return PassageHit(mock.Mock(spec=Passage), 0.0, dense, 0.0, confidence)

    def entry(dense: float, native: float) -> Hit:
        return Hit(mock.Mock(), 0.0, dense, 0.0, 0.9, native_dense=native)

    gap = SUPPLEMENT_GAP["en"]
    assert passage_adds_to(passage(0.85), entry(0.85 + gap / 2, 0.85 + gap / 2), "en")
    assert not passage_adds_to(passage(0.85), entry(0.85 + gap * 2, 0.85), "en")
    assert not passage_adds_to(  # a passage that does not qualify on its own is never quoted
        passage(0.85, confidence=0.0), entry(0.85, 0.85), "en"
    )
    # In another language the entry's English and Chinese documents are what count.
    other = SUPPLEMENT_GAP["other"]
    assert passage_adds_to(passage(0.85), entry(0.99, 0.85 + other / 2), "other")
    assert not passage_adds_to(passage(0.85), entry(0.85, 0.85 + other * 2), "other")
