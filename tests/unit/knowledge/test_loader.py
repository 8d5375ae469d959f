from datetime import date
from pathlib import Path

import pytest

from actions.knowledge.loader import load_knowledge
from tests.conftest import PROJECT_ROOT
from tests.unit.knowledge.helpers import write_entry, write_knowledge

TODAY = date(2026, 11, 21)


@pytest.fixture
def languages(registry) -> list[str]:
    return registry.codes


def problems_for(folder: Path, languages) -> list[str]:
    return [
        f"{p.path.name}:{p.line}: {p.message} | {p.fix}"
        for p in load_knowledge(folder, languages, TODAY).problems
    ]


def test_the_shipped_knowledge_base_is_valid_and_bilingual(languages) -> None:
    result = load_knowledge(PROJECT_ROOT / "knowledge", languages, date.today())
    assert result.problems == []
    assert len(result.entries) >= 80
    categories = {entry.category for entry in result.entries}
    assert len(categories) >= 20
    for entry in result.entries:
        assert entry.answers["en"] and entry.answers["zh"], entry.id
        assert entry.source_name, entry.id


def test_a_valid_folder_loads_every_entry(tmp_path: Path, languages) -> None:
    result = load_knowledge(write_knowledge(tmp_path), languages, TODAY)
    assert result.problems == []
    entry = next(e for e in result.entries if e.id == "residence-permit-apply")
    assert entry.answer_in("zh")[1] == "zh"
    assert entry.answer_in("fr") == (entry.answers["en"], "en")
    assert entry.last_verified == date(2026, 11, 1)


def test_broken_yaml_names_the_line(tmp_path: Path, languages) -> None:
    path = write_entry(tmp_path, "sim-card")
    text = path.read_text().replace("  en: Getting a SIM card", "  en: Getting: a [SIM card")
    path.write_text(text)
    (problem,) = problems_for(tmp_path, languages)
    assert problem.startswith("sim-card.md:5: broken YAML"), problem


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda t: t.replace("category: phone\n", ""), "missing field 'category'"),
        (
            lambda t: t.replace("last_verified: 2026-11-01", "last_verified: 2027-01-01"),
            "in the future",
        ),
        (lambda t: t.replace("last_verified: 2026-11-01", "last_verified: soon"), "not a date"),
        (lambda t: t.replace("## zh", "## xx"), "unknown language code 'xx'"),
        (lambda t: t.replace("携带护照到中国移动、联通或电信营业厅办理。", ""), "answer is empty"),
        (lambda t: t.replace("## zh", "## de"), "no 'zh' answer"),
        (lambda t: t.replace("id: sim-card", "id: sim-cards"), "differs from the file name"),
        (lambda t: t.replace("id: sim-card", "id: Sim_Card"), "not lowercase-with-hyphens"),
        (lambda t: t.replace("category: phone", "category: phones"), "unknown category"),
        (lambda t: t.replace("category: phone", "category: banking"), "but the file is in folder"),
        (lambda t: t.replace("tags:", "tagz:"), "unknown field 'tagz'"),
        (lambda t: t.replace("  zh: 办理手机卡\n", ""), "no 'zh' title"),
        (lambda t: t.replace("    - 怎么办中国手机号？\n", ""), "fewer than 2 'zh' questions"),
        (
            lambda t: t.replace("  name: National Immigration Administration\n", ""),
            "missing source name",
        ),
        (lambda t: t.replace("https://www.nia.gov.cn/", "nia.gov.cn"), "not a web address"),
        (lambda t: t.replace("---\n\n## en", "\n## en"), "header is not closed"),
        (lambda t: t[4:], "does not start with a '---'"),
        (lambda t: t.split("## en")[0], "no '## en' / '## zh' answer sections"),
    ],
)
def test_each_mistake_is_reported_with_a_fix(tmp_path: Path, languages, edit, expected) -> None:
    path = write_entry(tmp_path, "sim-card")
    path.write_text(edit(path.read_text()))
    write_entry(tmp_path, "police-registration-24h")
    result = load_knowledge(tmp_path, languages, TODAY)
    assert [e.id for e in result.entries] == ["police-registration-24h"]  # the good one survives
    (problem,) = result.problems
    assert expected in problem.message, problem
    assert problem.fix and problem.line >= 1


def test_duplicate_ids_keep_the_first(tmp_path: Path, languages) -> None:
    write_entry(tmp_path, "sim-card")
    other = tmp_path / "zz-other" / "sim-card.md"
    other.parent.mkdir()
    other.write_text(
        (tmp_path / "phone" / "sim-card.md")
        .read_text()
        .replace("category: phone", "category: zz-other")
    )
    result = load_knowledge(tmp_path, languages, TODAY)
    assert len(result.entries) == 1
    assert any(
        "duplicate id" in p.message or "unknown category" in p.message for p in result.problems
    )


def test_binary_and_non_utf8_files_are_reported(tmp_path: Path, languages) -> None:
    write_knowledge(tmp_path)
    (tmp_path / "phone" / "garbage.md").write_bytes(b"\xff\xfe\x00\x01binary")
    result = load_knowledge(tmp_path, languages, TODAY)
    assert len(result.entries) == 3
    assert ["not UTF-8" in p.message for p in result.problems] == [True]


def test_yaml_entries_and_top_level_files(tmp_path: Path, languages) -> None:
    write_knowledge(tmp_path)
    (tmp_path / "synonyms.yml").write_text("groups: []\n")  # top-level files are not entries
    (tmp_path / "README.md").write_text("# notes\n")
    (tmp_path / "phone" / "wifi.yml").write_text(
        "id: wifi\ncategory: phone\ntitle: {en: Wi-Fi, zh: 无线网络}\n"
        "questions: {en: [wifi, internet], zh: [无线网, 上网]}\n"
        "answer: {en: Ask at the counter., zh: 请咨询窗口。}\n"
        "source: {name: Service hall}\nlast_verified: 2026-10-01\n"
    )
    result = load_knowledge(tmp_path, languages, TODAY)
    assert result.problems == []
    assert sorted(e.id for e in result.entries) == [
        "police-registration-24h",
        "residence-permit-apply",
        "sim-card",
        "wifi",
    ]
