"""The eval reads the frozen report set's layout (checked on a small fixture of its own)."""

from __future__ import annotations

from pathlib import Path

from tests.eval.retrieval_eval import contains_fact
from tests.eval.retrieval_sets import load_report_set, load_tuning_set

FIXTURE = Path(__file__).parents[2] / "eval" / "fixtures" / "report_layout"


def test_report_layout_is_read() -> None:
    report = load_report_set(FIXTURE)
    assert report.name == "report"
    assert {(q.lang, q.expected, q.facts) for q in report.questions} == {
        ("en", "emergency-numbers", ("119",)),
        ("fr", "emergency-numbers", ("120",)),
    }
    assert [(q.lang) for q in report.out_of_scope] == ["en", "fr"]


def test_tuning_sets_cover_other_languages() -> None:
    tuning = load_tuning_set()
    languages = {q.lang for q in tuning.questions}
    assert {"en", "zh", "fr", "ru", "ar", "ja"} <= languages
    assert {q.lang for q in tuning.out_of_scope} >= {"en", "zh", "fr"}


def test_fact_match_ignores_case_and_markdown() -> None:
    assert contains_fact("Dial **110** for the police.", ("110",))
    assert contains_fact("Call the Police", ("police", "110"))
    assert not contains_fact("Dial 120.", ("110",))


def test_report_nlu_files_are_labelled_by_their_language() -> None:
    from tests.eval.nlu_eval import heldout_sets, heldout_texts

    sets = heldout_sets(FIXTURE)
    assert [language for _, language in sets] == ["fr"]
    assert heldout_texts(sets) == {"Je voudrais prendre rendez-vous au guichet": "fr"}
