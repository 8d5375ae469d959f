from pathlib import Path

from bot.doctor import run_checks
from bot.settings import Settings
from tests.conftest import PROJECT_ROOT
from tests.processes import free_port


def test_doctor_reports_stopped_services_with_a_fix(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,
        rasa={"port": free_port()},
        action_server={"port": free_port()},
        web={"port": free_port()},
    )
    checks = {check.name: check for check in run_checks(settings)}
    assert checks["app environment (.venv)"].ok
    assert checks["Rasa environment (.venv-rasa)"].ok, checks["Rasa environment (.venv-rasa)"]
    for name in ("action server", "Rasa server", "gateway"):
        assert not checks[name].ok and checks[name].fix == "start it: make run"


def test_doctor_notices_a_missing_or_stale_model(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, rasa={"model": tmp_path / "missing.tar.gz"})
    model = next(c for c in run_checks(settings) if c.name == "trained Rasa model")
    assert not model.ok and model.fix == "make model"

    stale = tmp_path / "old.tar.gz"
    stale.write_bytes(b"x")
    import os

    os.utime(stale, (0, 0))
    settings = Settings(_env_file=None, rasa={"model": stale}, project_root=PROJECT_ROOT)
    model = next(c for c in run_checks(settings) if c.name == "trained Rasa model")
    assert not model.ok and "older than its training data" in model.detail


def test_doctor_lists_the_translation_packages(tmp_path: Path) -> None:
    from bot.language.argos import configure_argos
    from tests.argos_test_model import build_argosmodel

    settings = Settings(_env_file=None, translation={"models_dir": tmp_path / "argos"})
    check = next(c for c in run_checks(settings) if c.name.startswith("translation packages"))
    assert check.ok and "none in" in check.detail
    argos_package = configure_argos(tmp_path / "argos")
    for source, target in (("fr", "en"), ("en", "fr")):
        argos_package.install_from_path(build_argosmodel(tmp_path / "dl", source, target, "Hi."))
    check = next(c for c in run_checks(settings) if c.name.startswith("translation packages"))
    assert check.detail == "1 of 30 languages (fr)"
