"""``python -m actions.knowledge check|build``: for staff editing ``knowledge/``.

check   lists every problem (file, line, what is wrong, how to fix it); exit 1 if any
build   (re)builds the search index now if the content or the model changed
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date

from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import embedder_for
from actions.knowledge.loader import load_knowledge
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
        result = load_knowledge(folder, languages, today=date.today())
        for problem in result.problems:
            print(problem)
        print(f"{len(result.entries)} entries ok, {len(result.problems)} with problems ({folder})")
        return 1 if result.problems else 0

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
        f"{report.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
