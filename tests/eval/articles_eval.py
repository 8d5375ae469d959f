"""Answers quoted from articles: ``python -m tests.eval.articles_eval`` (part of ``make eval``).

Scores the frozen report set ``tests/eval/report/articles/<lang>.yml`` (questions only the
articles answer, written before any tuning; never used to choose anything) through the same
search and the same rule as the FAQ action: entries and passages searched with one query
embedding, the more confident source answering when it clears its language's threshold.

Per language: the right document's passage first (passage@1), the share answered from a
passage, the share where a passage was quoted after the entry's answer, and the share whose
reply (the entry's answer and any passage quoted after it, as the user reads them) contains the
expected fact. In the same run, the naive
baseline a user could have instead: TF-IDF (character n-grams) over the passages, top passage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml
from rasa_sdk.executor import CollectingDispatcher
from sklearn.feature_extraction.text import TfidfVectorizer

from actions.knowledge.articles.passages import Passage
from actions.knowledge.articles.store import PassageHit
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import embedder_for
from actions.knowledge.text import search_group
from actions.passage_answer import passage_adds_to, passage_wins, send_passage_answer
from bot.language.registry import LanguageRegistry
from bot.settings import Settings
from tests.eval.retrieval_eval import contains_fact
from tests.eval.retrieval_sets import EvalSet, load_report_set, load_tuning_set

ROOT = Path(__file__).resolve().parents[2]
REPORT_SET = ROOT / "tests" / "eval" / "report" / "articles"
TUNING_SET = ROOT / "tests" / "eval" / "tuning"
# The tuning files' lists of article questions (the entry tuning sets share the folder).
TUNING_KEYS = ("passage_questions", "articles_only")
OUTPUT = ROOT / "var" / "eval" / "articles.json"


def _question(text: object, language: object, document: object, fact: object) -> dict:
    facts = fact if isinstance(fact, list) else [fact]
    return {
        "text": str(text),
        "lang": str(language),
        "document": str(document),
        "facts": tuple(str(one) for one in facts),
    }


def load_tuning_questions(folder: Path = TUNING_SET) -> list[dict]:
    """``{text, lang, document, facts}`` for every article question of the tuning files."""
    questions = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in (item for key in TUNING_KEYS for item in data.get(key, [])):
            questions.append(_question(item["text"], item["lang"], item["family"], item["fact"]))
    return questions


def load_questions(folder: Path = REPORT_SET) -> list[dict]:
    """``{text, lang, document, facts}`` for every question of the frozen set."""
    questions = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["questions"]:
            questions.append(_question(item["text"], data["lang"], item["document"], item["fact"]))
    return questions


def reply_of(base: KnowledgeBase, question: dict, thresholds: dict[str, float]) -> dict:
    """What the FAQ action would answer (its rule in ``actions.faq``), without Rasa."""
    language = question["lang"]
    hits, passages = base.search_with_passages(question["text"], 3, language)
    best, passage = (hits[0] if hits else None), (passages[0] if passages else None)
    group = search_group(question["text"], language)
    threshold = thresholds[group]
    entry_confidence = best.confidence if best is not None else 0.0
    reader = language if language in ("en", "zh") else "en"  # no translation package
    result = {
        "passage_first": passage is not None and passage.passage.family == question["document"]
    }
    if passage is not None and passage_wins(passage, best, group, threshold):
        text = _quoted(base, passage, question["text"], reader)
        return result | {"answered_from": "passage", "text": text, "quoted_after": False}
    if best is not None and entry_confidence >= threshold:
        text = best.entry.answer_in(reader)[0]
        after = passage is not None and passage_adds_to(passage, best, group)
        if after:
            text += "\n" + _quoted(base, passage, question["text"], reader)
        return result | {"answered_from": "entry", "text": text, "quoted_after": after}
    return result | {"answered_from": None, "text": "", "quoted_after": False}


def _quoted(base: KnowledgeBase, passage: PassageHit, query: str, reader: str) -> str:
    """A passage answer as the user reads it: the quoted sentences and the note naming the
    document and its section ("… › Article 29: extending the stay on a visa"; see
    _quoted_note in bot.conversation.service)."""
    dispatcher = CollectingDispatcher()
    send_passage_answer(dispatcher, passage, base.passages, query, reader)
    custom = dispatcher.messages[0]["custom"]
    return f"{custom['text']}\n{custom['data']['reference']}"


class PassageTfidf:
    """The naive baseline: TF-IDF over the passages' text, top passage."""

    def __init__(self, base: KnowledgeBase) -> None:
        self._passages = list(base.passages.passages)
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True
        )
        self._matrix = self._vectorizer.fit_transform(p.text for p in self._passages)

    def top(self, query: str) -> Passage:
        scores = (self._matrix @ self._vectorizer.transform([query]).T).toarray().ravel()
        return self._passages[int(np.argmax(scores))]


def evaluate(base: KnowledgeBase, settings: Settings, questions: list[dict]) -> dict:
    thresholds = settings.knowledge.thresholds
    baseline = PassageTfidf(base)
    rows: dict[str, list[dict]] = defaultdict(list)
    misses = []
    for question in questions:
        reply = reply_of(base, question, thresholds)
        top = baseline.top(question["text"])
        row = {
            "passage@1": reply["passage_first"],
            "from_passage": reply["answered_from"] == "passage",
            "quoted_after": reply["quoted_after"],
            "fact": contains_fact(reply["text"], question["facts"]),
            "tfidf@1": top.family == question["document"],
            "tfidf_fact": contains_fact(top.text, question["facts"]),
        }
        rows[question["lang"]].append(row)
        rows["all"].append(row)
        if not row["fact"]:
            misses.append({"text": question["text"], "answered_from": reply["answered_from"]})
    table = {
        language: {"n": len(items)}
        | {key: round(sum(item[key] for item in items) / len(items), 3) for key in items[0]}
        for language, items in rows.items()
    }
    return {"languages": table, "misses": misses}


def qa_questions_taken_by_passages(
    base: KnowledgeBase, thresholds: dict[str, float], qa_set: EvalSet
) -> dict:
    """How many Q&A questions a passage answers instead of their entry (the cost)."""
    taken = right_entry_lost = quoted_after = 0
    questions = qa_set.questions
    for question in questions:
        hits, passages = base.search_with_passages(question.text, 3, question.lang)
        if not hits or not passages:
            continue
        group = search_group(question.text, question.lang)
        if passage_wins(passages[0], hits[0], group, thresholds[group]):
            taken += 1
            right_entry_lost += hits[0].entry.id == question.expected
        elif hits[0].confidence >= thresholds[group]:
            quoted_after += passage_adds_to(passages[0], hits[0], group)
    return {
        "questions": len(questions),
        "taken": taken,
        "right_entry_lost": right_entry_lost,
        "quoted_after_answer": quoted_after,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--set",
        choices=("report", "tuning"),
        default="report",
        help="the frozen report set (default) or the tuning questions (for choosing rules)",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    base = KnowledgeBase(
        settings.path(settings.knowledge.folder),
        settings.path(settings.knowledge.index_dir),
        embedder_for(settings.knowledge),
        LanguageRegistry.load().codes,
    )
    base.warm_up()
    tuning = args.set == "tuning"
    report = evaluate(base, settings, load_tuning_questions() if tuning else load_questions())
    name = "tuning questions" if tuning else "frozen report set"
    print(f"Articles, {name} (answers quoted from documents)")
    print(f"  {'lang':<5}{'n':>4}{'passage@1':>11}{'from passage':>14}{'after entry':>13}"
          f"{'fact':>7}{'tfidf@1':>9}{'tfidf fact':>12}")  # fmt: skip
    for language, row in report["languages"].items():
        print(
            f"  {language:<5}{row['n']:>4}{row['passage@1']:>11.3f}{row['from_passage']:>14.3f}"
            f"{row['quoted_after']:>13.3f}{row['fact']:>7.3f}{row['tfidf@1']:>9.3f}"
            f"{row['tfidf_fact']:>12.3f}"
        )
    qa_set = load_tuning_set() if tuning else load_report_set()
    cost = qa_questions_taken_by_passages(base, settings.knowledge.thresholds, qa_set)
    report["qa_taken_by_passages"] = cost
    print(
        f"  Q&A {args.set} questions answered from a passage instead: {cost['taken']} of"
        f" {cost['questions']} ({cost['right_entry_lost']} whose best entry was the right one);"
        f" a passage quoted after the entry's answer: {cost['quoted_after_answer']}"
    )
    output = OUTPUT.with_name("articles-tuning.json") if tuning else OUTPUT
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"  report: {output.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
