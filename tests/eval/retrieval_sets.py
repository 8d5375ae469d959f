"""Reading the retrieval evaluation sets in their two layouts.

* Tuning layout (``tests/eval/retrieval/*.yml``, ``tests/eval/tuning/*.yml``): ``questions:``
  of ``{text, lang, expected[, fact]}`` and ``out_of_scope:`` of ``{text, lang}``. These chose
  the fusion weights and thresholds.
* Report layout (the frozen held-out set, ``tests/eval/report/``): ``qa/*.yml`` each with a
  top-level ``lang`` and ``questions:`` of ``{text, entry, fact: [alternatives]}``, and
  ``out_of_scope/*.yml`` with ``out_of_scope:`` of ``{text, lang}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

EVAL_ROOT = Path(__file__).parent
TUNING_DIRS = (EVAL_ROOT / "retrieval", EVAL_ROOT / "tuning")
REPORT_DIR = EVAL_ROOT / "report"


@dataclass(frozen=True)
class Question:
    text: str
    lang: str
    expected: str
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutOfScope:
    text: str
    lang: str


@dataclass(frozen=True)
class EvalSet:
    name: str
    questions: list[Question]
    out_of_scope: list[OutOfScope]


def _read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _facts(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def load_tuning_set(folders: tuple[Path, ...] = TUNING_DIRS) -> EvalSet:
    """The tuning/calibration questions (tuning layout)."""
    questions: list[Question] = []
    out_of_scope: list[OutOfScope] = []
    for folder in folders:
        for path in sorted(folder.glob("*.yml")):
            data = _read(path)
            questions += [
                Question(str(q["text"]), str(q["lang"]), str(q["expected"]), _facts(q.get("fact")))
                for q in data.get("questions", [])
            ]
            out_of_scope += [
                OutOfScope(str(q["text"]), str(q["lang"])) for q in data.get("out_of_scope", [])
            ]
    return EvalSet("tuning", questions, out_of_scope)


def load_report_set(folder: Path = REPORT_DIR) -> EvalSet:
    """The frozen held-out set (report layout)."""
    questions: list[Question] = []
    out_of_scope: list[OutOfScope] = []
    for path in sorted((folder / "qa").glob("*.yml")):
        data = _read(path)
        language = str(data["lang"])
        questions += [
            Question(
                str(q["text"]), str(q.get("lang", language)), str(q["entry"]), _facts(q.get("fact"))
            )
            for q in data.get("questions", [])
        ]
    for path in sorted((folder / "out_of_scope").glob("*.yml")):
        out_of_scope += [
            OutOfScope(str(q["text"]), str(q["lang"])) for q in _read(path).get("out_of_scope", [])
        ]
    return EvalSet("report", questions, out_of_scope)
