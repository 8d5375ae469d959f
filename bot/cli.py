"""``python -m bot``: run the assistant, check the installation, chat from a terminal.

Every command builds the settings once and passes them down.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.privacy.cli import add_privacy_parser, run_privacy
from bot.settings import Settings
from bot.staff.cli import ACCOUNT_COMMANDS, add_account_parsers, run_account_command
from bot.storage.migrations.cli import add_db_parser, run_db

if TYPE_CHECKING:
    from sqlalchemy import Engine


def _run(settings: Settings, _: argparse.Namespace) -> int:
    from bot.launcher.process import write_line
    from bot.launcher.services import build_services
    from bot.launcher.supervisor import Supervisor

    supervisor = Supervisor(
        build_services(settings),
        run_dir=settings.var_path / "run",
        output=write_line,
        max_restarts=settings.launcher.max_restarts,
        restart_window=settings.launcher.restart_window_seconds,
        health_interval=settings.launcher.health_interval_seconds,
        health_failures=settings.launcher.health_failures_to_restart,
        health_timeout=settings.launcher.health_timeout_seconds,
        ready_message=(
            "\n  TalentDesk is ready.\n"
            f"  Chat widget:  {settings.web.url}/\n"
            f"  JSON API:     POST {settings.web.url}/api/chat\n"
            "  Press Ctrl-C to stop.\n"
        ),
    )
    supervisor.install_signal_handlers()
    return supervisor.run()


def _web(settings: Settings, _: argparse.Namespace) -> int:
    import uvicorn

    from bot.web.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.web.host,
        port=settings.web.port,
        log_level=settings.log_level.lower(),
        # JSON logs: uvicorn's loggers go through the root logger's JSON handler.
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=5,
        # The websocket library refuses a bigger frame while reading it (close 1009), before
        # it is whole; the body limit is enforced while streaming in bot/web/api.py.
        ws_max_size=settings.web.max_body_bytes,
    )
    return 0


def _telegram(settings: Settings, _: argparse.Namespace) -> int:
    from bot.errors import ConfigurationError
    from bot.telegram.app import run_bot

    try:
        return asyncio.run(run_bot(settings))
    except ConfigurationError as error:
        print(f"telegram: {error}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 0


def _doctor(settings: Settings, _: argparse.Namespace) -> int:
    from bot.doctor import run_checks

    failures = 0
    for check in run_checks(settings):
        mark = "ok  " if check.ok else "FAIL"
        print(f"[{mark}] {check.name}: {check.detail}")
        if not check.ok and check.fix:
            print(f"       fix: {check.fix}")
        failures += not check.ok
    return 1 if failures else 0


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.terminal import run_terminal_chat

    return asyncio.run(run_terminal_chat(settings, language=args.language))


def _staff(settings: Settings, args: argparse.Namespace) -> int:
    from bot.storage.database import create_database_engine, ensure_schema
    from bot.storage.unanswered import UnansweredLog

    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    if args.staff_command in ACCOUNT_COMMANDS:
        return run_account_command(engine, args)
    if args.staff_command == "handoffs":
        return _staff_handoffs(engine, args)
    questions = UnansweredLog(engine).recent(args.limit)
    if not questions:
        print("No unanswered questions.")
    for question in questions:
        best = (
            f" (closest: {question.best_entry_id} {question.confidence:.2f})"
            if (question.best_entry_id and question.confidence is not None)
            else ""
        )
        print(
            f"{question.asked_at:%Y-%m-%d %H:%M} [{question.language}/{question.channel}] "
            f"{question.reason}: {question.text}{best}"
        )
    return 0


def _staff_handoffs(engine: Engine, args: argparse.Namespace) -> int:
    from bot.storage.handoffs import HandoffQueue

    requests = HandoffQueue(engine).recent(args.limit, status=args.status)
    if not requests:
        print("No requests for a person.")
    for request in requests:
        when = "in hours" if request.during_opening_hours else "after hours"
        print(
            f"#{request.id} {request.created_at:%Y-%m-%d %H:%M} [{request.language}/"
            f"{request.channel}] {request.status}, {when}: {request.sender_id}"
        )
        if request.message:
            print(f"    message: {request.message}")
        for line in request.transcript[-6:]:
            print(f"    {line['role']:>4}: {line['text'][:160]}")
    return 0


def _models(settings: Settings, args: argparse.Namespace) -> int:
    from bot.language.cli import download_models, install_models, list_models, remove_models
    from bot.language.registry import LanguageRegistry

    registry = LanguageRegistry.load()
    languages = [code.strip() for code in (getattr(args, "lang", "") or "").split(",") if code]
    if args.models_command == "install":
        return install_models(settings, languages, args.source, registry)
    if args.models_command == "download":
        return download_models(settings, languages, args.target, registry)
    if args.models_command == "remove":
        return remove_models(settings, languages, registry)
    return list_models(settings, registry)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the whole assistant (what `make run` calls)")
    commands.add_parser("web", help="start only the web gateway")
    commands.add_parser("telegram", help="start only the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    commands.add_parser("doctor", help="check the installation and the running services")
    chat = commands.add_parser("chat", help="chat with the assistant in this terminal")
    chat.add_argument("--language", default=None, help="answer in this language (e.g. zh, fr)")
    staff = commands.add_parser("staff", help="tools for hall staff")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    unanswered = staff_commands.add_parser(
        "unanswered", help="questions the assistant could not answer"
    )
    unanswered.add_argument("--limit", type=int, default=50)
    handoffs = staff_commands.add_parser(
        "handoffs", help="requests to talk to a person, with the latest messages"
    )
    handoffs.add_argument("--limit", type=int, default=20)
    handoffs.add_argument("--status", default=None, help="only this status, e.g. open")
    add_account_parsers(staff_commands)
    models = commands.add_parser("models", help="Argos Translate packages (offline translation)")
    models_commands = models.add_subparsers(dest="models_command", required=True)
    install = models_commands.add_parser(
        "install", help="install the packages of some languages (both directions via English)"
    )
    install.add_argument("--lang", required=True, help="language codes, e.g. fr,ru,ar")
    install.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="a folder of .argosmodel files (offline); without it, the Argos package index",
    )
    download = models_commands.add_parser(
        "download", help="download .argosmodel files to carry to an offline kiosk"
    )
    download.add_argument("--lang", required=True, help="language codes, e.g. fr,ru,ar")
    download.add_argument("--to", dest="target", type=Path, required=True, help="a folder")
    models_commands.add_parser("list", help="installed packages and languages")
    remove = models_commands.add_parser("remove", help="remove the packages of some languages")
    remove.add_argument("--lang", required=True, help="language codes, e.g. fr,ru")
    add_privacy_parser(commands)
    add_db_parser(commands)
    return parser


HANDLERS = {
    "run": _run,
    "web": _web,
    "telegram": _telegram,
    "doctor": _doctor,
    "chat": _chat,
    "staff": _staff,
    "models": _models,
    "privacy": run_privacy,
    "db": run_db,
}


def main(argv: list[str] | None = None) -> int:
    from bot.log_format import configure_logging

    args = build_parser().parse_args(argv)
    settings = Settings()
    configure_logging(settings)
    return HANDLERS[args.command](settings, args)
