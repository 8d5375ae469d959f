import numpy as np
import pytest

from actions.knowledge.lexical import LexicalIndex
from actions.knowledge.text import Tokenizer, stem


@pytest.fixture
def index() -> LexicalIndex:
    return LexicalIndex([["visa", "extension", "visa"], ["sim", "card"], ["visa", "card", "bank"]])


def test_bm25_prefers_documents_with_more_of_the_rare_terms(index: LexicalIndex) -> None:
    bm25, _ = index.scores(["visa", "extension"])
    assert int(np.argmax(bm25)) == 0
    bm25, _ = index.scores(["sim"])
    assert bm25[1] > 0 and bm25[0] == 0 and bm25[2] == 0


def test_coverage_is_the_idf_weighted_share_of_query_terms_found(index: LexicalIndex) -> None:
    _, coverage = index.scores(["sim", "card"])
    assert coverage[1] == pytest.approx(1.0)
    assert 0 < coverage[2] < 1 and coverage[0] == 0
    _, with_unknown = index.scores(["sim", "card", "bitcoin"])
    assert with_unknown[1] < coverage[1]  # an unknown word lowers coverage


def test_empty_query_and_empty_corpus() -> None:
    bm25, coverage = LexicalIndex([["a"]]).scores([])
    assert bm25.tolist() == [0.0] and coverage.tolist() == [0.0]
    assert LexicalIndex([]).scores(["x"])[0].shape == (0,)


def test_tokenizer_splits_chinese_keeps_english_words_and_drops_stopwords() -> None:
    tokens = Tokenizer(["居留许可"]).tokens("How do I renew my residence permit? 居留许可怎么延期")
    assert "居留许可" in tokens and "_居留" in tokens
    assert "residence" in tokens and "permit" in tokens
    assert "how" not in tokens and "怎么" not in tokens
    assert (
        stem("permits") == "permit" and stem("registries") == "registry" and stem("pass") == "pass"
    )
