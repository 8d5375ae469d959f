"""Shared fixtures. Every non-loopback connection is blocked (pyproject: --disable-socket
--allow-hosts=127.0.0.1,...), so a hidden download fails the suite instead of passing quietly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Libraries that could try the network must stay offline in every test process and child.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def last_verified(entry_id: str) -> str:
    """The ``last_verified`` date staff wrote in a knowledge entry's file, read apart from the
    product's loader, so a re-check by staff does not break the tests that show the date."""
    [path] = (PROJECT_ROOT / "knowledge").glob(f"*/{entry_id}.md")
    header = path.read_text(encoding="utf-8").split("---")[1]
    return str(yaml.safe_load(header)["last_verified"])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on embedded defaults, writing only under a temporary folder."""
    return Settings(
        _env_file=None,
        var_dir=tmp_path / "var",
        storage={
            "database_url": f"sqlite:///{tmp_path}/talentdesk.db",
            "rasa_tracker_url": f"sqlite:///{tmp_path}/rasa_tracker.db",
        },
    )


@pytest.fixture(scope="session")
def strings() -> StringCatalogue:
    return StringCatalogue.load()


@pytest.fixture(scope="session")
def registry() -> LanguageRegistry:
    return LanguageRegistry.load()
