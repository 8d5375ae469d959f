"""``check`` for articles: every document read as the index would, without embedding anything."""

from __future__ import annotations

import hashlib
from pathlib import Path

from actions.knowledge.articles.parsers import DocumentError, parse_document
from actions.knowledge.articles.passages import split_passages
from actions.knowledge.articles.store import DocumentProblem, document_files, family_of


def check_documents(folder: Path) -> tuple[int, int, list[DocumentProblem]]:
    """Reads every document in ``folder``.

    Returns:
        How many documents are usable, their passages, and the problems found (skipped
        documents, whose ``kind`` says why, and warnings).
    """
    usable = passages = 0
    problems: list[DocumentProblem] = []
    seen: dict[str, Path] = {}
    for path in document_files(folder):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in seen:
            problems.append(DocumentProblem(
                path, "duplicate", f"the same file as {seen[digest].name}",
                "delete one of the two copies",
            ))  # fmt: skip
            continue
        seen[digest] = path
        try:
            parsed = parse_document(path)
        except DocumentError as error:
            problems.append(DocumentProblem(path, error.kind, error.message, error.fix))
            continue
        usable += 1
        passages += len(split_passages(parsed, path.name, family_of(path)))
        problems += [DocumentProblem(path, "warning", text, "") for text in parsed.warnings]
    return usable, passages, problems
