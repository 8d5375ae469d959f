"""The console's doors: every /staff route without a session, CSRF, origin, throttling, cookie."""

import re

import pytest
from fastapi.routing import APIRoute
from starlette.routing import WebSocketRoute
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect

from bot.web.staff import PUBLIC_STAFF_PATHS
from tests.unit.web.conftest import make_client

PASSWORD = "correct horse battery"


@pytest.fixture
def client(settings, service):
    # A long delay: the throttled attempt is refused however slow this machine is.
    settings.staff.login_delay_seconds = 3600
    with make_client(settings, service) as client:
        auth = client.app.state.staff_auth
        auth.accounts.add_user("li.wei", PASSWORD, "staff", "Li Wei")
        auth.accounts.add_user("boss", PASSWORD, "admin")
        yield client


def login(client, username: str = "li.wei") -> str:
    response = client.post("/staff/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 204, response.text
    return client.get("/staff/api/me").json()["csrf_token"]


def flat_routes(routes, prefix: str = ""):
    """Every route of a router, included routers opened (FastAPI 0.165 keeps an included
    router as one entry that holds the original router)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from flat_routes(included.routes, prefix + getattr(context, "prefix", ""))
        else:
            yield prefix, route


def staff_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) under /staff in the app's router, path parameters filled in."""
    found = []
    for prefix, route in flat_routes(app.routes):
        full = prefix + getattr(route, "path", "")
        if not full.startswith("/staff"):
            continue
        path = re.sub(r"\{[^}]+\}", "1", full)
        if isinstance(route, WebSocketRoute) or type(route).__name__ == "APIWebSocketRoute":
            found.append(("WEBSOCKET", path))
        elif isinstance(route, APIRoute):
            found.extend((method, path) for method in sorted(route.methods))
        else:
            raise AssertionError(f"unexpected route type under /staff: {route!r}")
    return found


def test_every_staff_route_refuses_a_request_without_a_session(client) -> None:
    routes = staff_routes(client.app)
    assert ("GET", "/staff") in routes and ("GET", "/staff/api/me") in routes
    public = set()
    for method, path in routes:
        if path in PUBLIC_STAFF_PATHS:
            public.add(path)
            continue
        if method == "WEBSOCKET":
            refused = pytest.raises((WebSocketDenialResponse, WebSocketDisconnect))
            with refused, client.websocket_connect(path) as socket:
                socket.receive_json()
            continue
        response = client.request(method, path, follow_redirects=False, json={})
        if method == "GET" and not path.startswith("/staff/api/"):
            assert response.status_code == 303, (method, path)
            assert response.headers["location"] == "/staff/login"
        else:
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"]["code"] == "staff_login_required"
    assert public == PUBLIC_STAFF_PATHS


def test_a_forged_or_foreign_cookie_is_no_session(client) -> None:
    client.cookies.set("td_staff", "A" * 32 + ".9999999999." + "B" * 22, path="/staff")
    assert client.get("/staff/api/me").status_code == 401
    client.cookies.set("td_staff", "<script>alert(1)</script>", path="/staff")
    assert client.get("/staff/api/me").status_code == 401


def test_every_state_changing_route_needs_the_csrf_token(client) -> None:
    csrf = login(client)
    changing = [(m, p) for m, p in staff_routes(client.app) if m in {"POST", "PUT", "DELETE"}]
    changing = [(m, p) for m, p in changing if p not in PUBLIC_STAFF_PATHS]
    assert ("POST", "/staff/logout") in changing
    for method, path in changing:
        for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": ""}):
            response = client.request(method, path, json={}, headers=headers)
            assert response.status_code == 403, (method, path, headers)
            assert response.json()["error"]["code"] == "csrf_failed"
        foreign = {"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
        response = client.request(method, path, json={}, headers=foreign)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "cross_origin"
    # A form post (what a hostile page can make a browser send) has no token either.
    response = client.post("/staff/logout", data={"x": "1"})
    assert response.status_code == 403
    assert client.get("/staff/api/me").status_code == 200  # still signed in


def test_login_sets_a_strict_httponly_cookie_and_logout_ends_it(client) -> None:
    response = client.post("/staff/login", json={"username": "li.wei", "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/staff" in cookie
    me = client.get("/staff/api/me").json()
    assert (me["username"], me["display_name"], me["role"]) == ("li.wei", "Li Wei", "staff")
    assert client.get("/staff").status_code == 200
    response = client.post("/staff/logout", headers={"X-CSRF-Token": me["csrf_token"]})
    assert response.status_code == 204
    assert client.get("/staff/api/me").status_code == 401


def test_wrong_password_and_bad_bodies(client) -> None:
    response = client.post("/staff/login", json={"username": "li.wei", "password": "nope"})
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
    for body in ({"username": "li.wei"}, {"username": "x" * 65, "password": "p"}, [1]):
        assert client.post("/staff/login", json=body).status_code == 422
    response = client.post(
        "/staff/login",
        json={"username": "li.wei", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_five_wrong_passwords_slow_the_next_attempts(client) -> None:
    for _ in range(5):
        response = client.post("/staff/login", json={"username": "li.wei", "password": "nope"})
        assert response.status_code == 401
    response = client.post("/staff/login", json={"username": "li.wei", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "set-cookie" not in response.headers


def test_the_audit_log_is_for_admins(client) -> None:
    login(client)
    response = client.get("/staff/api/audit")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "admin_only"
    login(client, "boss")
    entries = client.get("/staff/api/audit").json()
    latest = [(e["actor"], e["action"]) for e in entries[:2]]
    assert latest == [("boss", "login"), ("li.wei", "login")]


def test_pages_allow_only_their_own_scripts(client) -> None:
    page = client.get("/staff/login")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    strings = client.get("/staff/ui-strings").json()
    assert set(strings) == {"en", "zh"}
    assert set(strings["en"]) == set(strings["zh"])
