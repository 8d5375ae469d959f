"""The index and the live knowledge base, with the deterministic hashing embedder."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from actions.knowledge.base import KnowledgeBase
from actions.knowledge.confidence import confidence
from actions.knowledge.embedder import HashingEmbedder
from actions.knowledge.index import KnowledgeIndex, dense_documents
from actions.knowledge.loader import load_knowledge
from actions.knowledge.synonyms import SynonymTable
from tests.fakes import MultilingualHashing
from tests.unit.knowledge.helpers import write_entry, write_knowledge


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_knowledge(tmp_path / "knowledge")


@pytest.fixture
def base(folder: Path, tmp_path: Path, registry) -> KnowledgeBase:
    knowledge = KnowledgeBase(
        folder, tmp_path / "index", HashingEmbedder(), registry.codes, reload_interval=0
    )
    knowledge.warm_up()
    return knowledge


def test_english_and_chinese_queries_find_their_entry(base: KnowledgeBase) -> None:
    assert base.search("how to apply residence permit", 1)[0].entry.id == "residence-permit-apply"
    assert base.search("我想办手机卡", 1)[0].entry.id == "sim-card"
    assert base.search("住宿登记", 1)[0].entry.id == "police-registration-24h"


def test_scores_are_bounded_and_unrelated_queries_score_low(base: KnowledgeBase) -> None:
    good = base.search("where can i buy a sim card", 1)[0]
    bad = base.search("bitcoin price forecast", 1)[0]
    for hit in (good, bad):
        assert 0.0 <= hit.confidence <= 1.0 and 0.0 <= hit.lexical <= 1.0
    assert good.confidence > bad.confidence
    assert base.search("", 3) == [] and base.search("   ", 3) == []


def test_confidence_with_an_english_only_model() -> None:
    assert confidence(0.9, 0.1, "en", multilingual=False) == pytest.approx(0.15)
    assert confidence(0.2, 0.9, "en", multilingual=False) == pytest.approx(0.2)
    assert confidence(0.0, 0.7, "zh", multilingual=False) == pytest.approx(0.7)


def test_multilingual_confidence_rescales_dense_and_needs_lexical_in_en_and_zh() -> None:
    # e5 cosines below the floor mean nothing; at the ceiling, full confidence.
    assert confidence(0.80, 1.0, "en") == 0.0
    assert confidence(0.95, 1.0, "zh") == pytest.approx(1.0)
    # English and Chinese: a dense match without shared terms is not trusted.
    assert confidence(0.95, 0.0, "en") == 0.0
    # Other languages: the dense side alone.
    assert confidence(0.95, 0.0, "other") == pytest.approx(1.0)
    # A query nearer an out-of-scope example than its best entry is rejected.
    assert confidence(0.93, 1.0, "en", negative=0.95) == 0.0
    assert confidence(0.93, 1.0, "en", negative=0.85) > 0.0


def test_synonyms_apply_to_queries_and_entries(folder: Path, registry) -> None:
    entries = load_knowledge(folder, registry.codes).entries
    plain = KnowledgeIndex.build(entries, HashingEmbedder())
    expanded = KnowledgeIndex.build(
        entries, HashingEmbedder(), synonyms=SynonymTable([["手机卡", "电话卡"]])
    )
    assert expanded.search("电话卡", 1)[0].lexical > plain.search("电话卡", 1)[0].lexical
    assert expanded.search("电话卡", 1)[0].entry.id == "sim-card"


def test_the_index_is_reused_when_nothing_changed(
    base: KnowledgeBase, folder: Path, tmp_path: Path, registry
) -> None:
    again = KnowledgeBase(folder, tmp_path / "index", HashingEmbedder(), registry.codes)
    report = again.warm_up()
    assert report.rebuilt is False and report.embedded_texts == 0
    assert again.search("sim card", 1)[0].entry.id == "sim-card"


def test_a_new_model_rebuilds_the_index(
    base: KnowledgeBase, folder: Path, tmp_path: Path, registry
) -> None:
    other = KnowledgeBase(
        folder, tmp_path / "index", HashingEmbedder(dimension=128), registry.codes
    )
    assert other.warm_up().rebuilt is True
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["model"] == "hashing-128" and manifest["entries"] == 3


def test_an_edit_is_picked_up_and_only_changed_texts_are_embedded(
    base: KnowledgeBase, folder: Path
) -> None:
    write_entry(folder, "sim-card", answer_en="Go to any operator store with your passport.")
    report = base.refresh()
    assert report is not None and report.rebuilt
    assert report.embedded_texts == 1  # the opening of the English answer, nothing else
    assert base.get("sim-card").answers["en"].startswith("Go to any operator store")


def test_a_bad_file_is_skipped_and_the_rest_still_answers(
    base: KnowledgeBase, folder: Path
) -> None:
    (folder / "phone" / "broken.md").write_text(
        "---\nid: broken\ntitle: [unclosed\n---\n## en\nx\n"
    )
    report = base.refresh()
    assert report is not None and report.entries == 3
    assert [p.path.name for p in base.problems] == ["broken.md"]
    assert base.search("residence permit", 1)[0].entry.id == "residence-permit-apply"
    (folder / "phone" / "broken.md").unlink()
    base.refresh()
    assert base.problems == []


def test_a_removed_entry_disappears(base: KnowledgeBase, folder: Path) -> None:
    shutil.rmtree(folder / "phone")
    base.refresh()
    assert base.get("sim-card") is None
    assert all(hit.entry.id != "sim-card" for hit in base.search("sim card", 3))


def test_no_reload_check_within_the_interval(folder: Path, tmp_path: Path, registry) -> None:
    knowledge = KnowledgeBase(
        folder, tmp_path / "i2", HashingEmbedder(), registry.codes, reload_interval=3600
    )
    knowledge.warm_up()
    write_entry(folder, "sim-card", answer_en="Changed.")
    assert knowledge.refresh() is None  # checked less than an hour ago
    assert knowledge.refresh(force=True) is not None
    assert knowledge.get("sim-card").answers["en"] == "Changed."


def test_each_search_with_passages_is_reported_to_the_observer(
    folder: Path, tmp_path: Path, registry
) -> None:
    seen: list[float] = []
    knowledge = KnowledgeBase(
        folder, tmp_path / "i3", HashingEmbedder(), registry.codes, observe_search=seen.append
    )
    knowledge.warm_up()
    hits, _ = knowledge.search_with_passages("sim card", 1)
    assert hits[0].entry.id == "sim-card"
    assert len(seen) == 1 and seen[0] >= 0


def test_a_query_vetoed_by_an_out_of_scope_example_still_offers_related_entries(
    folder: Path, registry
) -> None:
    # "visa problem" is as close to "US visa problem" as to the visa entries: never answered
    # from them, but they are the "did you mean" a user would expect.
    entries = load_knowledge(folder, registry.codes).entries
    question = "How do I apply for a residence permit?"  # one of the entry's own questions
    index = KnowledgeIndex.build(entries, MultilingualHashing(), negatives=[question])
    best = index.search(question, 1)[0]
    assert best.entry.id == "residence-permit-apply"
    assert best.confidence == 0.0 and best.related
    unrelated = index.search("zzzz qqqq", 1)[0]
    assert not unrelated.related


def _documents_at(similarities: list[float]) -> np.ndarray:
    """Unit vectors at the given cosine similarities to the query ``[1, 0]``."""
    return np.array([[s, np.sqrt(1 - s * s)] for s in similarities], dtype=np.float32)


def _index_of(folder: Path, registry, similarities_per_entry: list[list[float]]) -> KnowledgeIndex:
    entries = load_knowledge(folder, registry.codes).entries[: len(similarities_per_entry)]
    vectors = np.concatenate([_documents_at(s) for s in similarities_per_entry])
    owners = [i for i, s in enumerate(similarities_per_entry) for _ in s]
    return KnowledgeIndex(entries, MultilingualHashing(), vectors, owners, [False] * len(owners))


QUERY = np.array([[1.0, 0.0]], dtype=np.float32)


def test_other_languages_prefer_an_entry_whose_variants_agree_over_one_lucky_variant(
    folder: Path, registry
) -> None:
    # Entry 0 has one variant shaped like the question and three about something else; entry 1's
    # four variants all say what the question says.
    index = _index_of(folder, registry, [[0.97, 0.5, 0.5, 0.5], [0.95, 0.95, 0.95, 0.95]])
    lucky, agreeing = index.entries[0].id, index.entries[1].id
    assert index.search("zzzz", 2, "fr", vector=QUERY)[0].entry.id == agreeing
    # English ranks by the best variant (it has the lexical side to break such ties) ...
    assert index.search("zzzz", 2, "en", vector=QUERY)[0].entry.id == lucky
    # ... and a hit's dense score is its best variant's in every language.
    assert index.search("zzzz", 2, "fr", vector=QUERY)[1].dense == pytest.approx(0.97)


def test_an_entry_behind_hundreds_of_another_entrys_variants_still_gets_its_score(
    folder: Path, registry
) -> None:
    index = _index_of(folder, registry, [[0.9] * 500, [0.8]])
    hits = index.search("zzzz", 2, "fr", vector=QUERY)
    assert [hit.dense for hit in hits] == pytest.approx([0.9, 0.8])


def test_a_hit_carries_its_best_english_or_chinese_documents_similarity(
    folder: Path, registry
) -> None:
    entries = load_knowledge(folder, registry.codes).entries[:1]
    index = KnowledgeIndex(
        entries, MultilingualHashing(), _documents_at([0.97, 0.8]), [0, 0], [False, False],
        native=[False, True],
    )  # fmt: skip
    hit = index.search("zzzz", 1, "fr", vector=QUERY)[0]
    assert hit.dense == pytest.approx(0.97) and hit.native_dense == pytest.approx(0.8)


def test_only_english_and_chinese_documents_count_as_native(folder: Path, registry) -> None:
    entry = load_knowledge(folder, registry.codes).entries[0]
    french = replace(entry, questions={**entry.questions, "fr": ["Où acheter une carte SIM ?"]})
    native = {d.text: d.native for d in dense_documents(french)}
    assert native["Où acheter une carte SIM ?"] is False
    assert all(native[q] for q in entry.questions["en"] + entry.questions["zh"])
