"""``python -m actions``: the action server, on loopback, in one process."""

from actions.server import main

if __name__ == "__main__":
    raise SystemExit(main())
