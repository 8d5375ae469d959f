"""``python -m bot doctor``: checks the installation and the running services, with a fix for
each failure."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.launcher.process import is_healthy
from bot.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(settings: Settings) -> Iterator[Check]:
    """Runs every check in order; each is independent of the others' results."""
    yield _app_environment()
    yield _rasa_environment(settings)
    yield _trained_model(settings)
    yield _database("app database", settings.storage.database_url, settings)
    if settings.storage.redis_url:
        yield _redis(settings.storage.redis_url)
    yield _translation_packages(settings)
    yield _service("action server", f"{settings.action_server.url}/health", "start it: make run")
    for number, url in enumerate(settings.rasa.urls, start=1):
        name = "Rasa server" if settings.rasa.replicas == 1 else f"Rasa server {number}"
        yield _service(name, f"{url}/", "start it: make run")
    yield _service("gateway", f"{settings.web.url}/healthz", "start it: make run")


def _database(name: str, url: str, settings: Settings) -> Check:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from bot.storage.database import create_database_engine

    engine = create_database_engine(url, settings.project_root)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return Check(name, False, f"{shown}: {str(error).splitlines()[0]}", "start the database")
    finally:
        engine.dispose()
    return Check(name, True, shown)


def _redis(url: str) -> Check:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        return Check("Redis", False, f"{url}: {error}", "start Redis (see the README)")
    finally:
        client.close()
    return Check("Redis", True, url)


def _app_environment() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    missing = []
    for module in ("rasa_sdk", "fastapi", "aiogram", "sentence_transformers", "faiss", "torch"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if sys.version_info[:2] != (3, 11) or missing:
        return Check(
            "app environment (.venv)",
            False,
            f"Python {version}; missing: {', '.join(missing) or 'none'}",
            "make setup",
        )
    return Check("app environment (.venv)", True, f"Python {version}, packages importable")


def _rasa_environment(settings: Settings) -> Check:
    rasa = settings.path(settings.rasa.executable)
    python = rasa.parent / "python"
    if not python.exists():
        return Check("Rasa environment (.venv-rasa)", False, f"{python} not found", "make setup")
    try:
        result = subprocess.run(
            [
                str(python),
                "-c",
                "import importlib.metadata as m, sys;"
                "print(sys.version.split()[0], m.version('rasa'))",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except (subprocess.SubprocessError, OSError) as error:
        return Check(
            "Rasa environment (.venv-rasa)", False, str(error), "rm -rf .venv-rasa && make setup"
        )
    python_version, rasa_version = result.stdout.split()
    ok = python_version.startswith("3.10.") and rasa_version == "3.6.21"
    return Check(
        "Rasa environment (.venv-rasa)",
        ok,
        f"Python {python_version}, rasa {rasa_version}",
        "" if ok else "rm -rf .venv-rasa && make setup",
    )


def _trained_model(settings: Settings) -> Check:
    model = settings.path(settings.rasa.model)
    if not model.exists():
        return Check("trained Rasa model", False, f"{model} not found", "make model")
    inputs = [settings.path(Path(p)) for p in ("config.yml", "domain.yml")]
    inputs += [p for p in settings.path(Path("nlu")).rglob("*") if p.is_file()]
    newest = max((p.stat().st_mtime for p in inputs if p.exists()), default=0.0)
    if newest > model.stat().st_mtime:
        return Check(
            "trained Rasa model", False, f"{model} is older than its training data", "make model"
        )
    return Check("trained Rasa model", True, str(model))


def _translation_packages(settings: Settings) -> Check:
    """Which non-native languages have Argos packages both ways (none is a valid set-up:
    those languages then get English answers with a note)."""
    from bot.conversation.messages import NATIVE_LANGUAGES, PIVOT_LANGUAGE
    from bot.language.argos import ArgosEngine
    from bot.language.registry import LanguageRegistry

    folder = settings.path(settings.translation.models_dir)
    engine = ArgosEngine(folder)
    installed = [
        language.code
        for language in LanguageRegistry.load()
        if language.code not in NATIVE_LANGUAGES
        and engine.can_translate(language.argos, PIVOT_LANGUAGE)
        and engine.can_translate(PIVOT_LANGUAGE, language.argos)
    ]
    name = "translation packages (Argos)"
    if not installed:
        return Check(name, True, f"none in {folder}: languages other than en/zh get English")
    return Check(name, True, f"{len(installed)} of 30 languages ({', '.join(installed)})")


def _service(name: str, url: str, fix: str) -> Check:
    if is_healthy(url):
        return Check(name, True, f"answers at {url}")
    return Check(name, False, f"no answer at {url}", fix)
