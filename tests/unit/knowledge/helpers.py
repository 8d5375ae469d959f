"""Writing small knowledge folders for tests."""

from __future__ import annotations

from pathlib import Path

TEMPLATE = """---
id: {id}
category: {category}
title:
  en: {title_en}
  zh: {title_zh}
questions:
  en:
    - {q_en}
    - {q_en2}
  zh:
    - {q_zh}
    - {q_zh2}
source:
  name: National Immigration Administration
  url: https://www.nia.gov.cn/
last_verified: 2026-11-01
tags: [{tags}]
---

## en

{answer_en}

## zh

{answer_zh}
"""

ENTRIES = {
    "residence-permit-apply": dict(
        category="residence-permit",
        title_en="Applying for a residence permit",
        title_zh="申请居留许可",
        q_en="How do I apply for a residence permit?",
        q_en2="Where do I get my residence permit?",
        q_zh="怎么申请居留许可？",
        q_zh2="居留许可在哪里办？",
        tags="residence permit, 居留许可",
        answer_en="Apply within 30 days of entry at the exit-entry office. Call 12367.",
        answer_zh="请在入境后30日内到出入境管理部门申请。咨询电话12367。",
    ),
    "police-registration-24h": dict(
        category="police-registration",
        title_en="Registering your address with the police",
        title_zh="办理住宿登记",
        q_en="Where do I register my address?",
        q_en2="Do I need to register with the police after arrival?",
        q_zh="住宿登记在哪里办？",
        q_zh2="到了以后要去派出所登记吗？",
        tags="accommodation registration, 住宿登记",
        answer_en="Register within 24 hours at the local police station.",
        answer_zh="请在24小时内到住地派出所办理住宿登记。",
    ),
    "sim-card": dict(
        category="phone",
        title_en="Getting a SIM card",
        title_zh="办理手机卡",
        q_en="Where can I buy a SIM card?",
        q_en2="How do I get a Chinese phone number?",
        q_zh="在哪里办手机卡？",
        q_zh2="怎么办中国手机号？",
        tags="SIM, 手机卡",
        answer_en="Bring your passport to a China Mobile, Unicom or Telecom store.",
        answer_zh="携带护照到中国移动、联通或电信营业厅办理。",
    ),
}


def write_entry(folder: Path, entry_id: str, **overrides: str) -> Path:
    fields = {"id": entry_id, **ENTRIES.get(entry_id, ENTRIES["sim-card"]), **overrides}
    path = folder / fields["category"] / f"{entry_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.format(**fields), encoding="utf-8")
    return path


def write_knowledge(folder: Path) -> Path:
    for entry_id in ENTRIES:
        write_entry(folder, entry_id)
    return folder
