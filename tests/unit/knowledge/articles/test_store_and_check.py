from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from actions.knowledge.articles.check import check_documents
from actions.knowledge.articles.passages import passage_sentences
from actions.knowledge.articles.store import PassageIndex, document_files
from actions.knowledge.embedder import HashingEmbedder, Role
from tests.fakes import MultilingualHashing
from tests.unit.knowledge.articles.helpers import (
    CHINESE_MARKDOWN,
    INSURANCE_MARKDOWN,
    TAX_MARKDOWN,
    side,
    write_docx_document,
    write_pdf_document,
    write_scanned_pdf,
)

DATED = "title: Income tax\nsource: State Taxation Administration\nlast_verified: 2026-11-30\n"


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed(self, texts: list[str], role: Role = "passage"):  # type: ignore[no-untyped-def]
        self.embedded += texts
        return super().embed(texts, role)


def articles(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tax.en.md").write_text(TAX_MARKDOWN, encoding="utf-8")
    side(folder / "tax.en.md", DATED)
    write_pdf_document(folder / "tax.zh.pdf", CHINESE_MARKDOWN, "个人所得税")
    side(folder / "tax.zh.pdf", DATED)
    write_docx_document(folder / "insurance.en.docx", INSURANCE_MARKDOWN)
    side(folder / "insurance.en.docx", DATED)
    return folder


def test_only_changed_documents_are_read_again(tmp_path: Path) -> None:
    folder = articles(tmp_path)
    embedder = CountingEmbedder()
    index = PassageIndex(folder, tmp_path / "cache", embedder)
    first = index.refresh()
    assert (first.documents, first.reread, first.problems) == (3, 3, [])
    # Each passage and each of its sentences (an answer marks its best sentence by meaning).
    expected = {p.indexed_text() for p in index.passages} | {
        sentence for p in index.passages for sentence in passage_sentences(p.text)
    }
    assert first.passages > 0
    assert set(embedder.embedded) == expected
    assert first.embedded == len(expected) == len(embedder.embedded)

    assert index.refresh().reread == 0
    path = folder / "tax.en.md"
    path.write_text(TAX_MARKDOWN + "\n## Leaving China\n\nPrint a tax payment record.\n")
    changed = index.refresh()
    # The new passage and its one sentence; nothing else is embedded again.
    assert (changed.reread, changed.embedded) == (1, 2)
    assert embedder.embedded[-2].endswith("Print a tax payment record.")
    assert embedder.embedded[-1] == "Print a tax payment record."

    # A fresh index (a restart) reads every file but embeds nothing: vectors are cached.
    again = PassageIndex(folder, tmp_path / "cache", embedder).refresh()
    assert (again.reread, again.embedded) == (3, 0)


def test_search_finds_the_passage_and_its_translation(tmp_path: Path) -> None:
    index = PassageIndex(articles(tmp_path), tmp_path / "cache", HashingEmbedder())
    index.refresh()
    best = index.search("when is the annual reconciliation of income tax", 3)[0]
    assert best.passage.document == "tax.en.md"
    assert best.passage.headings == ("Annual reconciliation",)
    assert best.confidence > 0
    chinese = index.search("年度汇算什么时候办理", 1)[0]
    assert chinese.passage.document == "tax.zh.pdf"
    assert index.sibling(chinese.passage, "en") == best.passage


def test_each_sentence_of_a_passage_has_its_similarity_to_the_query(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    index = PassageIndex(articles(tmp_path), tmp_path / "cache", embedder)
    index.refresh()
    hit = index.search("when is the annual reconciliation of income tax", 1)[0]
    found = passage_sentences(hit.passage.text)
    assert hit.query_vector is not None
    similarities = index.sentence_similarities(hit.passage, hit.query_vector)
    assert similarities is not None and len(similarities) == len(found) > 1
    # The same sentence as the query is the nearest (the hashing embedder shares words only).
    vector = embedder.embed([found[-1]], "query")
    assert int(np.argmax(index.sentence_similarities(hit.passage, vector))) == len(found) - 1


def test_broken_scanned_and_duplicate_documents_are_skipped_and_reported(
    tmp_path: Path,
) -> None:
    folder = articles(tmp_path)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    write_scanned_pdf(folder / "scan.pdf")
    shutil.copy(folder / "tax.en.md", folder / "copy-of-tax.md")
    shutil.copy(folder / "tax.en.md.yml", folder / "copy-of-tax.md.yml")
    (folder / "_generate").mkdir()
    (folder / "_generate" / "source.md").write_text("not a document of its own")
    (folder / "undated.md").write_text("# Undated\n\nSome text here.\n")
    assert folder / "_generate" / "source.md" not in document_files(folder)

    index = PassageIndex(folder, tmp_path / "cache", HashingEmbedder())
    report = index.refresh()
    kinds = {problem.path.name: problem.kind for problem in report.problems}
    assert kinds == {
        "broken.pdf": "unreadable",
        "scan.pdf": "scanned",
        "tax.en.md": "duplicate",  # the later file in name order is the copy kept out
        "undated.md": "warning",
    }
    assert report.documents == 4  # three articles + the undated one; the others skipped
    assert index.search("annual reconciliation", 1)[0].passage.document == "copy-of-tax.md"

    usable, passages, problems = check_documents(folder)
    assert usable == 4 and passages == len(index.passages)
    assert {p.path.name: p.kind for p in problems} == kinds
    assert all(p.fix for p in problems if p.kind != "warning")


def test_a_removed_document_leaves_the_index(tmp_path: Path) -> None:
    folder = articles(tmp_path)
    index = PassageIndex(folder, tmp_path / "cache", HashingEmbedder())
    index.refresh()
    (folder / "insurance.en.docx").unlink()
    assert index.refresh().documents == 2
    assert all(p.document != "insurance.en.docx" for p in index.passages)


def test_a_passage_is_out_of_scope_only_when_an_example_is_nearer_than_it_and_every_entry(
    tmp_path: Path,
) -> None:
    index = PassageIndex(articles(tmp_path), tmp_path / "cache", MultilingualHashing())
    index.refresh()
    query = index.passages[0].indexed_text()
    (hit,) = index.search(query, 1)
    assert hit.confidence > 0
    nearer = hit.dense + 0.01
    assert index.search(query, 1, negative=nearer)[0].confidence == 0.0
    # An entry of ours nearer than the example: the question is in scope, and the passage
    # (whose cosine to a question runs lower than a question's) may answer it.
    kept = index.search(query, 1, negative=nearer, nearest_entry=nearer + 0.05)[0]
    assert kept.confidence == hit.confidence
