"""Validate the frozen report set (tests/eval/report/).

Frozen report set: written before tuning; never used to choose thresholds or pipelines. Do not edit.

Checks: YAML parses; every qa `entry` exists as knowledge/*/<id>.md; every fact string occurs
(case-insensitive) in that entry's file, inside its `## en` or `## zh` answer; no entry used more
than 4 times per language; avoided entries are not used; every text is unique across the set and
differs from every line in nlu/ and tests/eval/ outside this folder; minimum counts are met.
Prints counts per language; exits 1 on any problem. Standard library + PyYAML only.
"""

from __future__ import annotations

import collections
import glob
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
LANGS = ["en", "zh", "fr", "ru", "es", "de", "ja", "ko", "ar", "vi", "pt", "hi", "th", "tr"]
QA_MIN = {"en": 150, "zh": 150}
QA_MIN_OTHER = 22
OOS_MIN = {"en": 40, "zh": 40}
OOS_MIN_OTHER = 5
NLU_MIN = {"en": 3, "zh": 3}
NLU_MIN_OTHER = 2
MAX_PER_ENTRY = 4
INTENTS = [
    "greet",
    "goodbye",
    "thanks",
    "book_appointment",
    "cancel_appointment",
    "show_appointment",
    "request_human",
    "plan_arrival",
    "hall_hours_location",
    "documents_needed",
    "help",
    "change_language",
    "bot_challenge",
    "stop",
    "out_of_scope",
    "ask_knowledge",
]
AVOID = {
    "visas-unilateral-visa-free",
    "family-marriage-in-china",
    "work-permit-categories-abc",
    "learning-chinese-hsk-test",
    "community-rd-centre",
    "community-service-hall-overview",
}

problems: list[str] = []


def problem(msg: str) -> None:
    problems.append(msg)


def norm(text: str) -> str:
    return " ".join(str(text).strip().lower().split())


def load(path: str):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except Exception as exc:
        problem(f"{path}: YAML error: {exc}")
        return None


def knowledge() -> dict[str, str]:
    entries = {}
    for path in glob.glob(os.path.join(ROOT, "knowledge", "*", "*.md")):
        entries[os.path.splitext(os.path.basename(path))[0]] = path
    return entries


def answer_text(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    parts = text.split("---", 2)
    body = parts[2] if len(parts) == 3 else text
    return body.lower()


def outside_lines() -> set[str]:
    """Every line (and list item) in nlu/ and tests/eval/ outside this folder, normalised."""
    seen = set()
    roots = [os.path.join(ROOT, "nlu"), os.path.join(ROOT, "tests", "eval")]
    for base in roots:
        for dirpath, _dirs, files in os.walk(base):
            if os.path.abspath(dirpath).startswith(HERE):
                continue
            for name in files:
                try:
                    with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                        content = fh.read()
                except (UnicodeDecodeError, OSError):
                    continue
                for line in content.splitlines():
                    line = line.strip()
                    line = re.sub(r"^-\s*", "", line)
                    line = re.sub(r"^(text|query|question):\s*", "", line)
                    line = line.strip().strip("\"'")
                    if line:
                        seen.add(norm(line))
    return seen


def main() -> int:
    entries = knowledge()
    texts: dict[str, str] = {}
    outside = outside_lines()

    def add_text(text, where):
        if not isinstance(text, str) or not text.strip():
            problem(f"{where}: empty or non-string text")
            return
        key = norm(text)
        if key in texts:
            problem(f"{where}: duplicate text {text!r} (also in {texts[key]})")
        texts[key] = where
        if key in outside:
            problem(f"{where}: text {text!r} equals a line in nlu/ or tests/eval/")

    # QA
    qa_count = collections.Counter()
    per_entry = collections.defaultdict(collections.Counter)
    entries_used = collections.defaultdict(set)
    for path in sorted(glob.glob(os.path.join(HERE, "qa", "*.yml"))):
        data = load(path)
        if data is None:
            continue
        name = os.path.relpath(path, HERE)
        lang = data.get("lang")
        if lang not in LANGS:
            problem(f"{name}: bad or missing lang {lang!r}")
            continue
        for i, q in enumerate(data.get("questions") or []):
            where = f"{name}#{i}"
            add_text(q.get("text"), where)
            entry = q.get("entry")
            if entry not in entries:
                problem(f"{where}: unknown entry {entry!r}")
                continue
            if entry in AVOID:
                problem(f"{where}: entry {entry} is on the avoid list")
            facts = q.get("fact")
            if not isinstance(facts, list) or not facts:
                problem(f"{where}: fact must be a non-empty list")
                continue
            body = answer_text(entries[entry])
            for fact in facts:
                if str(fact).lower() not in body:
                    problem(f"{where}: fact {fact!r} not in {entry}")
            qa_count[lang] += 1
            per_entry[lang][entry] += 1
            entries_used[lang].add(entry)
    for lang, counter in per_entry.items():
        for entry, n in counter.items():
            if n > MAX_PER_ENTRY:
                problem(f"qa {lang}: entry {entry} used {n} times (max {MAX_PER_ENTRY})")

    # Out of scope
    oos_count = collections.Counter()
    for path in sorted(glob.glob(os.path.join(HERE, "out_of_scope", "*.yml"))):
        data = load(path)
        if data is None:
            continue
        name = os.path.relpath(path, HERE)
        for i, item in enumerate(data.get("out_of_scope") or []):
            where = f"{name}#{i}"
            if item.get("lang") not in LANGS:
                problem(f"{where}: bad lang {item.get('lang')!r}")
                continue
            add_text(item.get("text"), where)
            oos_count[item["lang"]] += 1

    # NLU
    nlu_count = collections.defaultdict(collections.Counter)
    for path in sorted(glob.glob(os.path.join(HERE, "nlu", "*.yml"))):
        data = load(path)
        if data is None:
            continue
        name = os.path.relpath(path, HERE)
        lang = os.path.splitext(os.path.basename(path))[0].split("-")[0]
        if lang not in LANGS:
            problem(f"{name}: file name must start with a language code")
            continue
        if str(data.get("version")) != "3.1":
            problem(f'{name}: version must be "3.1"')
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if intent not in INTENTS:
                problem(f"{name}: unexpected intent {intent!r}")
                continue
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if not line:
                    continue
                if not line.startswith("- "):
                    problem(f"{name}: {intent}: example line must start with '- ': {line!r}")
                    continue
                add_text(line[2:], f"{name}:{intent}")
                nlu_count[lang][intent] += 1

    # Minimums and report
    print(f"{'lang':<5}{'qa':>5}{'entries':>9}{'oos':>6}{'nlu':>6}{'nlu min/intent':>16}")
    for lang in LANGS:
        qmin = QA_MIN.get(lang, QA_MIN_OTHER)
        omin = OOS_MIN.get(lang, OOS_MIN_OTHER)
        nmin = NLU_MIN.get(lang, NLU_MIN_OTHER)
        least = min(nlu_count[lang][i] for i in INTENTS)
        print(
            f"{lang:<5}{qa_count[lang]:>5}{len(entries_used[lang]):>9}{oos_count[lang]:>6}"
            f"{sum(nlu_count[lang].values()):>6}{least:>16}"
        )
        if qa_count[lang] < qmin:
            problem(f"qa {lang}: {qa_count[lang]} < {qmin}")
        if oos_count[lang] < omin:
            problem(f"out_of_scope {lang}: {oos_count[lang]} < {omin}")
        for intent in INTENTS:
            if nlu_count[lang][intent] < nmin:
                problem(f"nlu {lang}: {intent} has {nlu_count[lang][intent]} < {nmin}")
    all_used = set().union(*entries_used.values()) if entries_used else set()
    print(
        f"total: qa {sum(qa_count.values())}, out_of_scope {sum(oos_count.values())}, "
        f"nlu {sum(sum(c.values()) for c in nlu_count.values())}; "
        f"entries covered {len(all_used)}/{len(entries)}"
    )
    for msg in problems:
        print("PROBLEM:", msg)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
