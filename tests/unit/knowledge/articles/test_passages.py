from __future__ import annotations

from datetime import date

from actions.knowledge.articles.metadata import DocumentMeta
from actions.knowledge.articles.parsers import Block, ParsedDocument
from actions.knowledge.articles.passages import (
    MAX_PASSAGE_CHARS,
    answering_sentences,
    sentences,
    split_passages,
)
from actions.knowledge.text import Tokenizer

META = DocumentMeta(title="Law", language="zh", source_name="NPC", last_verified=date(2026, 1, 1))


def test_articles_of_a_law_become_their_own_passages() -> None:
    document = ParsedDocument(
        META,
        [
            Block(("Law", "第四章"), "第三十条 外国人应当自入境之日起三十日内申请居留证件。"),
            Block(("Law", "第四章"), "第三十一条 另一条规定。"),
            Block(("Law", "第四章"), "第三十一条的补充说明。"),
            Block(("Law", "第五章"), "Article 39 Register within 24 hours."),
        ],
    )
    passages = split_passages(document, "law.zh.md", "law")
    assert [p.text for p in passages] == [
        "第三十条 外国人应当自入境之日起三十日内申请居留证件。",
        "第三十一条 另一条规定。\n第三十一条的补充说明。",
        "Article 39 Register within 24 hours.",
    ]
    # The document title is not repeated in the section path; sections are numbered.
    assert [(p.headings, p.section) for p in passages] == [
        (("第四章",), 0),
        (("第四章",), 0),
        (("第五章",), 1),
    ]
    assert passages[0].source_name == "NPC" and passages[0].family == "law"


def test_long_paragraphs_are_cut_between_sentences() -> None:
    sentence = "This sentence is about the residence permit and its many rules. "
    document = ParsedDocument(META, [Block(("Law", "Long"), sentence * 30)])
    passages = split_passages(document, "long.md", "long")
    assert len(passages) > 1
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)
    assert all(p.text.endswith("rules.") for p in passages)


def test_sentences_split_latin_and_chinese() -> None:
    assert sentences("One. Two? 三。四！") == ["One.", "Two?", "三。", "四！"]


def test_a_decimal_point_does_not_end_a_sentence() -> None:
    assert sentences("Printing costs 0.5 yuan per page. Copies too.") == [
        "Printing costs 0.5 yuan per page.",
        "Copies too.",
    ]
    assert sentences("每页收费0.5元。复印也可以。") == ["每页收费0.5元。", "复印也可以。"]


def test_the_answering_sentence_is_found_with_its_neighbours() -> None:
    text = (
        "The hall has seven counters. It opened in 2026. Tax returns are due by 30 June. "
        "Refunds are paid to a bank account. Parking is free."
    )
    kept, best = answering_sentences(text, "when are tax returns due", Tokenizer())
    assert kept[best] == "Tax returns are due by 30 June."
    assert kept == [
        "It opened in 2026.",
        "Tax returns are due by 30 June.",
        "Refunds are paid to a bank account.",
    ]


def test_the_sentence_nearest_in_meaning_answers_where_no_word_is_shared() -> None:
    # A French question shares no term with the English passage shown to its reader: the
    # sentences' similarities to the question decide, as the passage index supplies them.
    text = "The hall has seven counters. It opened in 2026. Tax returns are due by 30 June."
    query = "Quand faut-il déclarer ses impôts ?"
    assert answering_sentences(text, query, Tokenizer())[0][0] == "The hall has seven counters."
    kept, best = answering_sentences(text, query, Tokenizer(), similarities=[0.80, 0.81, 0.88])
    assert kept[best] == "Tax returns are due by 30 June."


def test_shared_terms_only_break_near_ties_in_meaning() -> None:
    text = "Tax returns are filed online. Refunds are paid within a month."
    query = "how long until I get my tax refund"
    kept, best = answering_sentences(text, query, Tokenizer(), similarities=[0.80, 0.80])
    assert kept[best] == "Tax returns are filed online."  # "tax" is shared
    kept, best = answering_sentences(text, query, Tokenizer(), similarities=[0.80, 0.85])
    assert kept[best] == "Refunds are paid within a month."
