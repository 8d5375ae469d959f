"""``python -m bot privacy ...``: the retention purge and deletion on request."""

from __future__ import annotations

import argparse

from bot.settings import Settings


def add_privacy_parser(commands: argparse._SubParsersAction) -> None:
    """Adds ``privacy purge`` and ``privacy forget`` to the CLI."""
    privacy = commands.add_parser("privacy", help="retention purge and deletion on request")
    actions = privacy.add_subparsers(dest="privacy_command", required=True)
    actions.add_parser(
        "purge", help="delete or anonymize what is older than TALENTDESK_PRIVACY__RETENTION_DAYS"
    )
    forget = actions.add_parser("forget", help="delete one person's data on their request")
    who = forget.add_mutually_exclusive_group(required=True)
    who.add_argument("--telegram-user", type=int, help="a Telegram user id")
    who.add_argument(
        "--conversation", help="a conversation id as staff see it, e.g. kiosk:Xy12... or web:..."
    )


def run_privacy(settings: Settings, args: argparse.Namespace) -> int:
    """Runs a privacy command and prints what it removed."""
    from bot.assembly import build_language_memory, build_tracker_events
    from bot.privacy.erasure import ConversationEraser
    from bot.privacy.retention import purge_older_than
    from bot.storage.database import create_database_engine, ensure_schema

    app = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(app)
    tracker = build_tracker_events(settings)
    try:
        if args.privacy_command == "purge":
            erased = purge_older_than(app, tracker, settings.privacy.retention_days)
            heading = f"Older than {settings.privacy.retention_days} days:"
        else:
            eraser = ConversationEraser(app, tracker, build_language_memory(settings))
            if args.telegram_user is not None:
                erased = eraser.forget_telegram_user(str(args.telegram_user))
                heading = f"Telegram user {args.telegram_user}:"
            else:
                erased = eraser.erase([args.conversation])
                heading = f"Conversation {args.conversation}:"
    finally:
        tracker.engine.dispose()
        app.dispose()
    print(heading)
    for kind, count in sorted(erased.counts.items()):
        print(f"  {kind}: {count}")
    return 0
