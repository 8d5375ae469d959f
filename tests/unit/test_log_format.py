"""JSON logs, one object a line."""

import json
import logging

from bot.log_format import JsonFormatter


def test_a_json_log_line_carries_the_record_and_its_exception() -> None:
    try:
        raise ValueError("broken <thing>")
    except ValueError:
        record = logging.getLogger("bot.test").makeRecord(
            "bot.test", logging.ERROR, __file__, 1, "turn of %s failed", ("用户",), True
        )
        import sys

        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.test"
    assert entry["message"] == "turn of 用户 failed"
    assert "ValueError: broken <thing>" in entry["exception"]
    assert entry["time"].endswith("+00:00")
