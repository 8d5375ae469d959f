"""Real Argos packages for the language tests, built once per session (tests/argos_test_model)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.language.argos import ArgosEngine, configure_argos
from tests.argos_test_model import build_argosmodel

# What each test package outputs, whatever its input.
OUTPUTS = {
    ("fr", "en"): "How do I apply for a residence permit?",
    ("en", "fr"): "Voici la réponse.",
    ("de", "en"): "Where is the service hall?",
}


@pytest.fixture(scope="session")
def argosmodels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of .argosmodel files, as copied to an offline kiosk."""
    folder = tmp_path_factory.mktemp("argosmodels")
    for (source, target), output in OUTPUTS.items():
        build_argosmodel(folder, source, target, output)
    return folder


@pytest.fixture
def models_dir(tmp_path: Path, argosmodels: Path) -> Path:
    """An Argos packages folder with every test package installed by argostranslate."""
    folder = tmp_path / "argos"
    argos_package = configure_argos(folder)
    for path in sorted(argosmodels.glob("*.argosmodel")):
        argos_package.install_from_path(path)
    return folder


@pytest.fixture
def engine(models_dir: Path) -> ArgosEngine:
    return ArgosEngine(models_dir)


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every host name something tries to reach (name lookups fail, as offline)."""
    attempts: list[str] = []

    def refuse(host, *args, **kwargs):
        attempts.append(str(host))
        raise OSError(f"offline test: no lookup of {host}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts
