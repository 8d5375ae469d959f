"""The corrected and added facts of issue 16, asked through the running assistant's /api/chat
in English and Chinese (real Rasa, real action server, real retrieval), and an expired policy
never answered as current."""

from __future__ import annotations

import time

import pytest

from tests.integration.conftest import RunningAssistant

pytestmark = pytest.mark.integration

# (entry, English question, fact in the English reply, Chinese question, fact in the Chinese reply)
CORRECTIONS = [
    (
        "visas-unilateral-visa-free",
        "Until when does the 30-day visa-free policy run?",
        "31 December 2026",
        "免签政策有效期到什么时候？",
        "2026年12月31日",
    ),
    (
        "family-marriage-in-china",
        "What documents do we need to get married in China?",
        "no longer required",
        "在中国和中国人结婚需要什么材料？",
        "不再需要户口簿",
    ),
    (
        "work-permit-categories-abc",
        "What is the difference between work permit categories A, B and C?",
        "age limit of 60",
        "工作许可A类、B类、C类有什么区别？",
        "年龄不超过60周岁",
    ),
    (
        "learning-chinese-hsk-test",
        "How does the HSK test work and what levels are there?",
        "since **2022**",
        "HSK考试有几个等级？",
        "自**2022年**起开考",
    ),
    (
        "community-rd-centre",
        "How big is the R&D centre at Daze Lake?",
        "65,000 m²",
        "研发中心有多大？有多少个工位？",
        "2300个工位",
    ),
    (
        "community-service-hall-overview",
        "When was the Daze Lake International Talent Community launched?",
        "5 January 2026",
        "大泽湖国际人才社区什么时候启动的？",
        "2026年1月5日",
    ),
    (
        "community-hall-opening-hours",
        "What time does the service hall open?",
        "9:00-12:00 and 13:30-17:30",
        "服务大厅几点上班？",
        "以大厅公告为准",
    ),
    (
        "daily-life-public-holidays",
        "How do Chinese public holidays and make-up working days work?",
        "don't assume the hall is open",
        "中国的法定节假日和调休是怎么安排的？",
        "请勿默认大厅对外办公",
    ),
    (
        "transport-high-speed-rail-stations",
        "How do I get to Changsha South Railway Station?",
        "Lines 2 and 4",
        "怎么去长沙南站？",
        "2号线和4号线",
    ),
    (
        "transport-maglev-express",
        "How do I take the maglev from the airport to Changsha South Station?",
        "㮾梨",
        "从黄花机场坐磁浮到长沙南站怎么走？",
        "㮾梨站",
    ),
    (
        "permanent-residence-fees",
        "How much does it cost to apply for permanent residence?",
        "1,500 yuan per person",
        "申请永久居留要交多少钱？",
        "申请费每人1500元",
    ),
    (
        "residence-permit-fees",
        "How much does a residence permit cost?",
        "800 yuan for one year to less than three years",
        "办居留许可要多少钱？",
        "一年（含）至不满三年的800元",
    ),
    (
        "driving-temporary-driving-permit",
        "How long is a temporary driving permit valid if I live in China?",
        "up to **one year**",
        "长期居留的外国人临时驾驶许可有效期多长？",
        "有效期可延长至**一年**",
    ),
    (
        "work-permit-medical-check",
        "Where do I do the medical check for my work permit in Changsha?",
        "Hunan International Travel Health Care Center",
        "在长沙办工作许可去哪里体检？",
        "湖南国际旅行卫生保健中心",
    ),
    (
        "residence-permit-changsha-exit-entry-office",
        "Where is the main exit-entry office in Changsha?",
        "Xiangzhang Road and Guitang Road",
        "长沙市出入境管理大厅在哪里？",
        "香樟路与圭塘路交汇处",
    ),
    (
        "work-permit-employer-fine-illegal-hiring",
        "What is the fine for a company that hires a foreigner without a work permit?",
        "10,000 yuan for each foreigner illegally employed",
        "单位非法聘用外国人罚多少钱？",
        "每非法聘用一人1万元",
    ),
    (
        "community-charming-changsha-channel",
        "What is the Charming Changsha channel?",
        "China International Service Platform",
        "“魅力长沙”频道是什么？",
        "中国国际服务平台",
    ),
    (
        "emergency-hotlines-list",
        "What is the tax hotline number?",
        "12366",
        "税务热线是多少？",
        "12366",
    ),
]


def knowledge_reply(body: dict) -> dict:
    replies = [r for r in body["replies"] if r["kind"] == "knowledge_answer"]
    assert replies, body["replies"]
    return replies[0]


@pytest.mark.parametrize(
    ("entry", "question_en", "fact_en", "question_zh", "fact_zh"),
    CORRECTIONS,
    ids=[row[0] for row in CORRECTIONS],
)
def test_the_corrected_fact_is_answered_in_english_and_chinese(
    assistant: RunningAssistant,
    entry: str,
    question_en: str,
    fact_en: str,
    question_zh: str,
    fact_zh: str,
) -> None:
    english = knowledge_reply(assistant.chat(f"fix-en-{entry}", question_en).json())
    assert (english["source"]["entry_id"], english["language"]) == (entry, "en")
    assert fact_en in english["text"]
    assert "{{" not in english["text"]  # every shared fact was written in
    chinese = knowledge_reply(assistant.chat(f"fix-zh-{entry}", question_zh).json())
    assert (chinese["source"]["entry_id"], chinese["language"]) == (entry, "zh")
    assert fact_zh in chinese["text"]
    assert "{{" not in chinese["text"]


EXPIRED = """---
id: visas-zorblat-visa-free
category: visas
title: {en: The zorblat visa-free scheme, zh: 佐布拉免签政策}
questions:
  en:
    - Can I enter China visa-free under the zorblat scheme?
    - How long can I stay under the zorblat visa-free scheme?
  zh:
    - 佐布拉免签政策可以免签入境吗？
    - 佐布拉免签可以停留多久？
source: {name: National Immigration Administration (NIA)}
last_verified: 2019-12-01
valid_until: 2020-01-31
---

## en

Under the zorblat scheme you can stay 45 days without a visa.

## zh

按佐布拉免签政策可免签停留45天。
"""


def test_an_expired_policy_is_never_answered_as_current(assistant: RunningAssistant) -> None:
    path = assistant.knowledge / "visas" / "visas-zorblat-visa-free.md"
    path.write_text(EXPIRED, encoding="utf-8")
    try:
        replies: list[dict] = []
        deadline = time.monotonic() + 120  # the running assistant re-indexes within seconds
        while time.monotonic() < deadline:
            body = assistant.chat("expired-en", "Can I enter China under the zorblat scheme?")
            replies = body.json()["replies"]
            if any(r["kind"] == "policy_expired" for r in replies):
                break
            time.sleep(1)
        (expired,) = [r for r in replies if r["kind"] == "policy_expired"]
        assert "ended on 2020-01-31" in expired["text"] and expired["language"] == "en"
        assert all("45 days" not in r["text"] for r in replies)
        assert expired["buttons"][0]["payload"] == "/request_human"

        body = assistant.chat("expired-zh", "佐布拉免签政策可以免签入境吗？").json()
        (expired,) = [r for r in body["replies"] if r["kind"] == "policy_expired"]
        assert "已于2020-01-31到期" in expired["text"] and expired["language"] == "zh"
        assert all("45天" not in r["text"] for r in body["replies"])
    finally:
        path.unlink()
