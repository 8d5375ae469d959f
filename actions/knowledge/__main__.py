"""``python -m actions.knowledge check|build``: for staff editing ``knowledge/``.

check   lists every problem (file, line, what is wrong, how to fix it) and every policy past its
        valid_until (exit 1 if any), then the entries past review_by and the sources that are
        a site's home page (warnings, exit 0)
build   (re)builds the search index now if the content or the model changed
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from actions.knowledge.articles.check import check_documents
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import embedder_for
from actions.knowledge.loader import ARTICLES_FOLDER, load_knowledge
from bot.language.registry import LanguageRegistry
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m actions.knowledge",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["check", "build"])
    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    folder = settings.path(settings.knowledge.folder)
    languages = LanguageRegistry.load().codes

    if args.command == "check":
        return check(folder, languages, date.today())

    base = KnowledgeBase(
        folder,
        settings.path(settings.knowledge.index_dir),
        embedder_for(settings.knowledge),
        languages,
    )
    report = base.warm_up()
    for problem in report.problems:
        print(problem, file=sys.stderr)
    state = f"rebuilt ({report.embedded_texts} texts embedded)" if report.rebuilt else "up to date"
    print(
        f"index {state}: {report.entries} entries, {len(report.problems)} skipped, "
        f"{report.seconds:.1f} s; articles: {len(base.passages.passages)} passages"
    )
    return 0


def check(folder: Path, languages: Iterable[str], today: date) -> int:
    """Prints every problem, expired policy and entry due for review; 1 if any is refused."""
    result = load_knowledge(folder, languages, today=today)
    for problem in result.problems:
        print(problem)
    for problem in result.expired:
        print(f"{problem}  [refused: expired]")
    for problem in result.due_for_review:
        print(f"{problem}  [warning: review]")
    for problem in result.home_page_sources:
        print(f"{problem}  [warning: source]")
    refused = len(result.problems) + len(result.expired)
    print(
        f"{len(result.entries) - len(result.expired)} entries ok, {len(result.problems)} with"
        f" problems, {len(result.expired)} expired, {len(result.due_for_review)} due for review"
        f", {len(result.home_page_sources)} home-page sources ({folder})"
    )
    usable, passages, article_problems = check_documents(folder / ARTICLES_FOLDER)
    for article_problem in article_problems:
        print(article_problem)
    skipped = [p for p in article_problems if p.kind != "warning"]
    print(
        f"{usable} articles ok ({passages} passages), {len(skipped)} skipped, "
        f"{len(article_problems) - len(skipped)} warnings ({folder / ARTICLES_FOLDER})"
    )
    return 1 if refused or skipped else 0


if __name__ == "__main__":
    raise SystemExit(main())
