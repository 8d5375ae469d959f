"""The language layer on the real stack: a French message through real argostranslate packages
(built at test time, installed by ``python -m bot models install --from``), Rasa, the knowledge
action, and back; then the same message with the packages removed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.language.strings import StringCatalogue
from tests.argos_test_model import build_argosmodel
from tests.conftest import PROJECT_ROOT
from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant

pytestmark = pytest.mark.integration

FRENCH_QUESTION = "Bonjour, quels pays peuvent entrer en Chine sans visa ?"
# What the fr->en test package outputs for any input: a question the knowledge base answers
# (visas-unilateral-visa-free) with a web address and a phone number in its text.
PIVOT_QUESTION = "Which countries can enter China without a visa?"
# What the en->fr test package outputs for any sentence.
FRENCH_OUTPUT = "Voici la réponse en français."


def models_cli(models_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TALENTDESK_TRANSLATION__MODELS_DIR=str(models_dir))
    return subprocess.run(
        [sys.executable, "-m", "bot", "models", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("language-models") / "argos"


@pytest.fixture(scope="module")
def french_assistant(
    tmp_path_factory: pytest.TempPathFactory, models_dir: Path
) -> Iterator[RunningAssistant]:
    tmp = tmp_path_factory.mktemp("language")
    downloads = tmp / "argosmodels"
    build_argosmodel(downloads, "fr", "en", PIVOT_QUESTION)
    build_argosmodel(downloads, "en", "fr", FRENCH_OUTPUT)
    installed = models_cli(models_dir, "install", "--lang", "fr", "--from", str(downloads))
    assert installed.returncode == 0, installed.stdout + installed.stderr
    running = start_assistant(tmp, {"TALENTDESK_TRANSLATION__MODELS_DIR": str(models_dir)})
    yield running
    stop_assistant(running)


def test_french_travels_through_english_and_back(french_assistant: RunningAssistant) -> None:
    body = french_assistant.chat("fr-user", FRENCH_QUESTION).json()
    assert body["language"] == "fr"
    answer = body["replies"][0]
    # Rasa answered the English question the fr->en package produced: the knowledge entry.
    assert answer["kind"] == "knowledge_answer"
    assert answer["source"]["entry_id"] == "visas-unilateral-visa-free"
    # ...and the en->fr package wrote the reply, with the protected parts intact.
    assert answer["language"] == "fr" and answer["machine_translated"] is True
    text = answer["text"]
    assert FRENCH_OUTPUT in text
    assert "nia.gov.cn" in text and "12367" in text
    assert "visa-free" not in text and "Important" not in text  # no English sentence left
    assert answer["notes"] == []


def test_without_the_packages_the_answer_is_english_with_the_french_note(
    french_assistant: RunningAssistant, models_dir: Path, strings: StringCatalogue
) -> None:
    removed = models_cli(models_dir, "remove", "--lang", "fr")
    assert removed.returncode == 0 and "removed fr->en" in removed.stdout, removed.stdout
    body = french_assistant.chat("fr-user-2", FRENCH_QUESTION).json()
    assert body["language"] == "fr"
    first = body["replies"][0]
    assert all(reply["language"] == "en" for reply in body["replies"])
    assert not any(reply["machine_translated"] for reply in body["replies"])
    assert first["notes"] == [strings.get("translation_not_installed", "fr")]
    assert first["text"] and FRENCH_OUTPUT not in first["text"]
