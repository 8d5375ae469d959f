"""Production mode, scaled out, against this machine's real PostgreSQL and Redis.

Two Rasa servers share the conversations (PostgreSQL tracker store) and the conversation locks
(Redis lock store); the gateway spreads messages over both; the app database and the gateway's
language memory live in PostgreSQL and Redis too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg
import pytest
import redis

from bot.launcher.process import is_healthy
from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant
from tests.processes import pid_alive, wait_until

pytestmark = pytest.mark.integration

POSTGRES_ADMIN = "postgresql://127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/14"


@dataclass
class ProductionStack:
    assistant: RunningAssistant
    app_database: str
    tracker_database: str

    def query(self, database: str, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(f"postgresql://127.0.0.1:5432/{database}") as connection:
            return connection.execute(sql, params).fetchall()


def _create_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionStack]:
    suffix = uuid.uuid4().hex[:10]
    app_database, tracker_database = f"talentdesk_app_{suffix}", f"talentdesk_rasa_{suffix}"
    for name in (app_database, tracker_database):
        _create_database(name)
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        "TALENTDESK_MODE": "production",
        "TALENTDESK_STORAGE__DATABASE_URL": f"postgresql://127.0.0.1:5432/{app_database}",
        "TALENTDESK_STORAGE__RASA_TRACKER_URL": f"postgresql://127.0.0.1:5432/{tracker_database}",
        "TALENTDESK_STORAGE__REDIS_URL": REDIS_URL,
        "TALENTDESK_RASA__REPLICAS": "2",
        "TALENTDESK_SESSIONS__SECRET": "production-test-secret-" + "x" * 32,
    }
    assistant = start_assistant(tmp_path_factory.mktemp("production"), extra_env=env)
    try:
        yield ProductionStack(assistant, app_database, tracker_database)
    finally:
        stop_assistant(assistant)
        for name in (app_database, tracker_database):
            _drop_database(name)
        redis.Redis.from_url(REDIS_URL).flushdb()


def _user_texts(stack: ProductionStack, sender: str) -> list[str]:
    rows = stack.query(
        stack.tracker_database,
        "SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
        sender,
    )
    import json

    return [json.loads(data)["text"] for (data,) in rows]


def test_conversations_are_kept_in_postgresql(production: ProductionStack) -> None:
    user = f"p-{uuid.uuid4().hex[:8]}"
    reply = production.assistant.chat(user, "hello")
    assert reply.status_code == 200, reply.text
    assert reply.json()["replies"][0]["kind"] == "greeting"
    assert _user_texts(production, production.assistant.conversation_id(user)) == ["hello"]


def test_one_conversation_continues_across_both_rasa_servers(production: ProductionStack) -> None:
    """Consecutive messages go to alternate replicas; each must see what the other stored."""
    user = f"p-{uuid.uuid4().hex[:8]}"
    texts = ["hello", "你好", "thank you", "how do I apply for a work permit?"]
    languages = [production.assistant.chat(user, text).json()["language"] for text in texts]
    assert languages == ["en", "zh", "en", "en"]
    assert _user_texts(production, production.assistant.conversation_id(user)) == texts


def test_concurrent_messages_of_one_user_are_all_processed(production: ProductionStack) -> None:
    """The Redis lock store serializes one conversation's messages across the replicas."""
    user = f"p-{uuid.uuid4().hex[:8]}"
    texts = [f"thanks {n}" for n in range(6)]
    conversation = production.assistant.conversation_id(user)  # one session for all six
    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(lambda text: production.assistant.chat(user, text), texts))
    assert [r.status_code for r in responses] == [200] * 6
    assert sorted(_user_texts(production, conversation)) == sorted(texts)


def test_a_chosen_language_is_shared_through_redis(production: ProductionStack) -> None:
    user = f"p-{uuid.uuid4().hex[:8]}"
    assert production.assistant.chat(user, "bonjour", language="fr").status_code == 200
    key = "talentdesk:language:" + production.assistant.conversation_id(user)
    stored = redis.Redis.from_url(REDIS_URL).get(key)
    assert stored is not None and b'"fr"' in stored
    # Chinese text would be detected as zh; the remembered choice wins.
    assert production.assistant.chat(user, "你好").json()["language"] == "fr"


def test_unanswered_questions_land_in_the_postgresql_app_database(
    production: ProductionStack,
) -> None:
    user = f"p-{uuid.uuid4().hex[:8]}"
    question = "what is the bitcoin price today"
    assert production.assistant.chat(user, question).status_code == 200
    rows = production.query(
        production.app_database,
        "SELECT text, channel FROM unanswered_questions WHERE sender_id = %s",
        production.assistant.conversation_id(user),
    )
    assert rows == [(question, "web")]


def test_a_dead_rasa_replica_is_skipped_until_it_is_back(production: ProductionStack) -> None:
    assistant = production.assistant
    pid = assistant.child_pid("rasa-1")
    os.kill(pid, 9)
    assert wait_until(lambda: not pid_alive(pid), timeout=30)
    user = f"p-{uuid.uuid4().hex[:8]}"
    for text in ("hello", "thanks"):
        reply = assistant.chat(user, text)
        assert reply.status_code == 200, reply.text
    # The supervisor restarts it, and it serves again.
    restarted = assistant.run_dir / "rasa-1.pid"
    assert wait_until(
        lambda: restarted.exists() and int(restarted.read_text() or 0) != pid, timeout=600
    )
    assert wait_until(lambda: is_healthy(assistant.settings.rasa.url + "/"), timeout=600)
