"""How sure a search hit is that it answers the query: the rule the thresholds are calibrated
on, shared by the entries (``actions.knowledge.index``) and the article passages."""

from __future__ import annotations

import numpy as np

# e5's cosines are compressed: unrelated texts still score about 0.75, so the dense side's
# confidence is the similarity rescaled from [floor, DENSE_CEILING] to [0, 1]. The floors, the
# lexical scale and the negative margins were chosen on the tuning sets (tests/eval/retrieval,
# tests/eval/tuning) for the most correct confident answers at >= 93% out-of-scope rejection.
# The other languages' floor rose from 0.82 when every entry got question variants in all 30 of
# them: a question now meets variants in its own language, which score higher for in-scope and
# out-of-scope questions alike.
DENSE_FLOOR = {"en": 0.86, "zh": 0.86, "other": 0.905}
DENSE_CEILING = 0.95
LEXICAL_SCALE = 3.0
# A query whose nearest out-of-scope example is closer than (best entry - margin) is rejected.
# The other languages have 48 examples each (actions/knowledge/data/out_of_scope.yml); their
# floor and margin trade answers for rejection toward rejection, since an unsure question still
# gets the entries as "did you mean". On the tuning sets (2026-12-03, with 180 more in-scope and
# 160 more out-of-scope questions in other languages, written apart): at a 0.02 margin 0.951 of
# 309 out-of-scope questions rejected, every language at 0.90 or more but vi (15 of 19), with
# 0.658 of 269 questions answered right and confidently; at 0.01, 0.922 (six languages below
# 0.90) and 0.691. "Open a bank account in Singapore" sits close to "open a bank account as a
# foreigner": a place name is all that separates them, and the examples must carry it.
NEGATIVE_MARGIN = {"en": 0.03, "zh": 0.03, "other": 0.02}


def confidence(
    dense: float,
    lexical: float,
    group: str,
    multilingual: bool = True,
    negative: float = -1.0,
    floors: dict[str, float] = DENSE_FLOOR,
    negative_margins: dict[str, float] = NEGATIVE_MARGIN,
) -> float:
    """How likely the hit answers the query, from its dense and lexical scores (0-1).

    With the multilingual model: English and Chinese need both sides to agree (the weaker one
    counts, with the lexical side scaled), because out-of-scope near misses ("US green card")
    score high on one side only; other languages have the dense side only. With an English-only
    model, Chinese is lexical only. ``negative`` is the query's similarity to the nearest
    out-of-scope example. ``make eval`` calibrates the thresholds on this score.
    """
    if not multilingual:
        if group == "zh":
            return lexical
        return min(max(dense, 0.0), 1.5 * lexical, 1.0)
    if negative > dense - negative_margins[group]:
        return 0.0
    floor = floors[group]
    scaled = float(np.clip((dense - floor) / (DENSE_CEILING - floor), 0.0, 1.0))
    if group == "other":
        return scaled
    return min(scaled, LEXICAL_SCALE * lexical, 1.0)
