"""``python -m bot staff add-user|set-password|disable|enable|users``: staff accounts.

The password is read without echo (or from standard input when it is not a terminal, for
scripts); it never appears on the command line, where other users could see it.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import Engine

from bot.staff.accounts import ROLES, StaffAccounts, StaffError
from bot.staff.audit import StaffAudit

ACCOUNT_COMMANDS = ("add-user", "set-password", "disable", "enable", "users")


def add_account_parsers(staff_commands: argparse._SubParsersAction) -> None:
    add = staff_commands.add_parser("add-user", help="create a staff account")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="staff")
    add.add_argument("--name", default=None, help="the name colleagues see (default: username)")
    password = staff_commands.add_parser("set-password", help="set a new password")
    password.add_argument("username")
    disable = staff_commands.add_parser("disable", help="disable an account and sign it out")
    disable.add_argument("username")
    enable = staff_commands.add_parser("enable", help="enable a disabled account")
    enable.add_argument("username")
    staff_commands.add_parser("users", help="list staff accounts")


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise StaffError("the two passwords differ")
    return first


def run_account_command(engine: Engine, args: argparse.Namespace) -> int:
    accounts = StaffAccounts(engine)
    audit = StaffAudit(engine)
    command = args.staff_command
    try:
        if command == "users":
            for user in accounts.list_users():
                state = "active" if user.active else "disabled"
                print(f"{user.username}\t{user.role}\t{state}\t{user.display_name}")
            return 0
        if command == "add-user":
            user = accounts.add_user(args.username, _read_password(), args.role, args.name)
            audit.record("cli", "add_user", target=user.username, detail=user.role)
            print(f"created {user.role} account {user.username}")
        elif command == "set-password":
            accounts.set_password(args.username, _read_password())
            audit.record("cli", "set_password", target=args.username)
            print(f"new password set for {args.username}; its sessions are signed out")
        elif command == "disable":
            accounts.disable(args.username)
            audit.record("cli", "disable_user", target=args.username)
            print(f"disabled {args.username}")
        else:
            accounts.enable(args.username)
            audit.record("cli", "enable_user", target=args.username)
            print(f"enabled {args.username}")
    except StaffError as error:
        print(f"staff: {error}", file=sys.stderr)
        return 2
    return 0
