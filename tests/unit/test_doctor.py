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
