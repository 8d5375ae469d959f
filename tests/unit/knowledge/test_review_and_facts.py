"""Review dates, expiry, several sources and shared facts in the knowledge format."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine

from actions.faq import ActionAnswerFromKnowledge
from actions.hall import HallCalendar
from actions.knowledge.__main__ import check
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import HashingEmbedder
from actions.knowledge.facts import Facts, literal_uses
from actions.knowledge.loader import entry_files, load_knowledge
from bot.storage.database import ensure_schema
from bot.storage.unanswered import UnansweredLog
from tests.conftest import PROJECT_ROOT
from tests.fakes import make_tracker, rich_replies
from tests.unit.knowledge.helpers import write_knowledge

TODAY = date(2026, 12, 2)
FACTS = """
hall:
  sessions:
    - ["09:00", "12:00"]
    - ["14:00", "17:00"]
facts:
  hall_hours:
    en: "Monday to Friday {sessions} (to be confirmed by the hall)"
    zh: "周一至周五 {sessions}"
    literal: ['9:00-12:00']
  tel_immigration: {en: "12367", literal: ['(?<!\\d)12367(?!\\d)']}
"""


def with_header(path: Path, **fields: str) -> Path:
    """Adds header lines to an entry written by the helpers."""
    extra = "".join(f"{key}: {value}\n" for key, value in fields.items())
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("last_verified:", f"{extra}last_verified:", 1), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = write_knowledge(tmp_path / "knowledge")
    (folder / "facts.yml").write_text(FACTS, encoding="utf-8")
    return folder


ENTRY = "residence-permit/residence-permit-apply.md"


def test_an_entry_past_valid_until_is_refused_by_check(folder, registry, capsys) -> None:
    with_header(folder / ENTRY, valid_until="2026-11-30")
    result = load_knowledge(folder, registry.codes, TODAY)
    assert [p.path.name for p in result.expired] == ["residence-permit-apply.md"]
    assert "ended on 2026-11-30" in result.expired[0].message
    assert check(folder, registry.codes, TODAY) == 1
    assert "[refused: expired]" in capsys.readouterr().out
    # on its last day it is still current, and check passes
    assert check(folder, registry.codes, date(2026, 11, 30)) == 0


def test_an_entry_past_review_by_is_a_warning_not_a_refusal(folder, registry, capsys) -> None:
    with_header(folder / ENTRY, review_by="2026-12-01")
    result = load_knowledge(folder, registry.codes, TODAY)
    assert [p.path.name for p in result.due_for_review] == ["residence-permit-apply.md"]
    assert result.expired == [] and result.problems == []
    assert check(folder, registry.codes, TODAY) == 0
    out = capsys.readouterr().out
    assert "due for review since 2026-12-01" in out and "[warning: review]" in out
    assert load_knowledge(folder, registry.codes, date(2026, 11, 30)).due_for_review == []


def test_review_by_before_last_verified_and_bad_dates_are_problems(folder, registry) -> None:
    with_header(folder / ENTRY, review_by="2026-10-01")
    (problem,) = load_knowledge(folder, registry.codes, TODAY).problems
    assert "before last_verified" in problem.message
    path = folder / ENTRY
    path.write_text(path.read_text().replace("review_by: 2026-10-01", "valid_until: soon"))
    (problem,) = load_knowledge(folder, registry.codes, TODAY).problems
    assert problem.message == "valid_until is not a date"


def test_several_sources_are_read_in_order(folder, registry) -> None:
    path = folder / ENTRY
    text = path.read_text().replace(
        "source:\n  name: National Immigration Administration\n  url: https://www.nia.gov.cn/\n",
        "sources:\n  - name: NIA service guide\n    url: https://www.nia.gov.cn/guide.html\n"
        "  - name: Exit and Entry Administration Law, Article 30\n",
    )
    path.write_text(text)
    (entry,) = [e for e in load_knowledge(folder, registry.codes, TODAY).entries if e.path == path]
    assert [s.name for s in entry.sources] == [
        "NIA service guide",
        "Exit and Entry Administration Law, Article 30",
    ]
    assert (entry.source_name, entry.source_url) == (
        "NIA service guide",
        "https://www.nia.gov.cn/guide.html",
    )


def test_a_home_page_source_is_a_warning_that_names_the_fix(folder, registry, capsys) -> None:
    """The helpers' entries cite https://www.nia.gov.cn/, which shows no rule."""
    assert check(folder, registry.codes, TODAY) == 0  # a warning, not a refusal
    out = capsys.readouterr().out
    assert "is a site's home page (https://www.nia.gov.cn/)" in out and "[warning: source]" in out
    assert "point url at the page that states the rule" in out
    path = folder / ENTRY
    path.write_text(path.read_text().replace("nia.gov.cn/", "nia.gov.cn/n741440/n741547/c1.html"))
    result = load_knowledge(folder, registry.codes, TODAY)
    assert path not in [p.path for p in result.home_page_sources]
    assert len(result.home_page_sources) == len(result.entries) - 1


def test_no_shipped_entry_cites_a_home_page(registry) -> None:
    result = load_knowledge(PROJECT_ROOT / "knowledge", registry.codes, TODAY)
    assert result.entries
    assert [str(p.path.name) + ": " + p.message for p in result.home_page_sources] == []


def test_placeholders_are_expanded_and_unknown_ones_reported(folder, registry) -> None:
    path = folder / ENTRY
    path.write_text(
        path.read_text().replace("Call 12367.", "Call {{tel_immigration}}, {{hall_hours}}.")
    )
    (entry,) = [e for e in load_knowledge(folder, registry.codes, TODAY).entries if e.path == path]
    assert entry.answers["en"].endswith(
        "Call 12367, Monday to Friday 9:00-12:00 and 14:00-17:00 (to be confirmed by the hall)."
    )
    path.write_text(path.read_text().replace("{{tel_immigration}}", "{{tel_immigraton}}"))
    (problem,) = load_knowledge(folder, registry.codes, TODAY).problems
    assert "{{tel_immigraton}} names no fact" in problem.message


def test_the_booking_calendar_reads_the_sessions_from_the_facts(folder) -> None:
    calendar = HallCalendar.load(facts_path=folder / "facts.yml")
    assert calendar.slots(date(2026, 12, 3))[-1] == "16:30"
    assert "13:30" not in calendar.slots(date(2026, 12, 3))
    assert calendar.hours_text("en") == "9:00-12:00 and 14:00-17:00"
    assert calendar.hours_text("zh") == "9:00-12:00、14:00-17:00"


def test_literal_uses_find_a_fact_written_by_hand(folder) -> None:
    facts = Facts.load(folder / "facts.yml")
    assert literal_uses("Open 9:00-12:00; call 12367.", facts) == [
        ("hall_hours", "9:00-12:00"),
        ("tel_immigration", "12367"),
    ]
    assert literal_uses("Open {{hall_hours}}; call {{tel_immigration}} or 123678.", facts) == []


def spoken_parts(path: Path) -> str:
    """What the assistant says from a file: the answers and the office fields."""
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---", 4)
    header, body = text[:end], text[end:]
    office = header[header.index("\noffice:") :] if "\noffice:" in header else ""
    return office + body


def test_no_entry_writes_a_shared_fact_by_hand() -> None:
    """The hall's hours, the hotlines, fees, fines and deadlines in knowledge/facts.yml are
    written in answers and office fields only as {{name}}, so they cannot drift apart."""
    folder = PROJECT_ROOT / "knowledge"
    facts = Facts.load(folder / "facts.yml")
    assert {"hall_hours", "tel_police", "tel_immigration", "overstay_fine"} <= set(facts.facts)
    offences = [
        f"{path.relative_to(folder)}: {fact} written as {found!r}"
        for path in entry_files(folder)
        for fact, found in literal_uses(spoken_parts(path), facts)
    ]
    assert offences == []


def test_the_shipped_hours_are_marked_to_be_confirmed_and_match_the_calendar() -> None:
    facts = Facts.load(PROJECT_ROOT / "knowledge" / "facts.yml")
    assert "to be confirmed by the hall" in facts.facts["hall_hours"].values["en"]
    assert "9:00-12:00 and 13:30-17:30" in facts.facts["hall_hours"].values["en"]
    assert HallCalendar.load().sessions == facts.hall_sessions


async def test_the_assistant_never_answers_an_expired_policy_as_current(
    folder, tmp_path, registry
) -> None:
    with_header(folder / ENTRY, valid_until="2026-11-30")
    base = KnowledgeBase(folder, tmp_path / "index", HashingEmbedder(), registry.codes)
    base.warm_up()
    engine = create_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)

    def action_on(day: date) -> ActionAnswerFromKnowledge:
        return ActionAnswerFromKnowledge(
            base, UnansweredLog(engine), {"en": 0.3, "zh": 0.3, "other": 0.3}, today=lambda: day
        )

    async def ask(day: date, language: str, text: str) -> dict:
        tracker = make_tracker(
            text=text, intent="ask_knowledge",
            metadata={"language": language, "channel": "web", "original_text": text},
        )  # fmt: skip
        dispatcher = CollectingDispatcher()
        await action_on(day).run(dispatcher, tracker, {})
        return rich_replies(dispatcher)[0]

    current = await ask(date(2026, 11, 30), "en", "how do i apply for a residence permit")
    assert current["kind"] == "knowledge_answer" and "30 days" in current["text"]
    for language, text, expected in (
        ("en", "how do i apply for a residence permit", "ended on 2026-11-30"),
        ("zh", "居留许可怎么申请", "已于2026-11-30到期"),
        ("fr", "how do i apply for a residence permit", "a pris fin le 2026-11-30"),
    ):
        reply = await ask(TODAY, language, text)
        assert reply["kind"] == "policy_expired" and reply["language"] == language
        assert expected in reply["text"]
        assert "30 days" not in reply["text"] and "30日" not in reply["text"]
        assert reply["buttons"][0]["payload"] == "/request_human"
