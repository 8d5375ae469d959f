import pytest
from argon2 import PasswordHasher

from bot.staff import LoginThrottled, StaffAccounts, StaffError
from bot.storage.staff import staff_users

PASSWORD = "correct horse battery"


def test_passwords_are_stored_as_argon2id_hashes(engine, accounts) -> None:
    accounts.add_user("li.wei", PASSWORD, "staff", "Li Wei")
    with engine.connect() as connection:
        stored = connection.execute(staff_users.select()).one().password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert accounts.authenticate("li.wei", PASSWORD).display_name == "Li Wei"
    assert accounts.authenticate("LI.WEI ", PASSWORD) is not None  # names are case-insensitive
    assert accounts.authenticate("li.wei", PASSWORD + "x") is None
    assert accounts.authenticate("nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "password", "role"),
    [
        ("ok.name", "short", "staff"),
        ("ok.name", "x" * 257, "staff"),
        ("Bad Name!", PASSWORD, "staff"),
        ("<script>", PASSWORD, "staff"),
        ("ok.name", PASSWORD, "root"),
    ],
)
def test_bad_accounts_are_refused_with_a_reason(accounts, username, password, role) -> None:
    with pytest.raises(StaffError) as error:
        accounts.add_user(username, password, role)
    assert str(error.value)


def test_a_username_is_taken_once(accounts) -> None:
    accounts.add_user("li.wei", PASSWORD)
    with pytest.raises(StaffError, match="taken"):
        accounts.add_user("Li.Wei", PASSWORD)


def test_old_hash_parameters_are_upgraded_on_login(engine) -> None:
    weak = StaffAccounts(engine, PasswordHasher(time_cost=1, memory_cost=512, parallelism=1))
    weak.add_user("li.wei", PASSWORD)
    stronger = StaffAccounts(engine, PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1))
    assert stronger.authenticate("li.wei", PASSWORD) is not None
    with engine.connect() as connection:
        stored = connection.execute(staff_users.select()).one().password_hash
    assert "m=1024,t=2" in stored


def test_login_gives_a_signed_session_and_logout_ends_it(auth, accounts) -> None:
    accounts.add_user("li.wei", PASSWORD)
    token, session = auth.login("li.wei", PASSWORD, "10.0.0.1")
    assert auth.check(token).user.username == "li.wei"
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert auth.check(forged) is None
    assert auth.check("") is None
    assert auth.check(None) is None
    auth.logout(session)
    assert auth.check(token) is None
    actions = [entry.action for entry in auth.audit.recent()]
    assert actions == ["logout", "login"]


def test_a_session_expires(auth, accounts, clock) -> None:
    accounts.add_user("li.wei", PASSWORD)
    token, _ = auth.login("li.wei", PASSWORD, "10.0.0.1")
    clock.advance(12 * 3600 + 1)
    assert auth.check(token) is None


@pytest.mark.parametrize("change", ["disable", "set_password"])
def test_disabling_or_a_new_password_signs_the_account_out(auth, accounts, change) -> None:
    accounts.add_user("li.wei", PASSWORD)
    token, _ = auth.login("li.wei", PASSWORD, "10.0.0.1")
    if change == "disable":
        accounts.disable("li.wei")
        assert accounts.authenticate("li.wei", PASSWORD) is None
    else:
        accounts.set_password("li.wei", "another long password")
    assert auth.check(token) is None


def test_csrf_token_belongs_to_its_session(auth, accounts) -> None:
    accounts.add_user("li.wei", PASSWORD)
    _, first = auth.login("li.wei", PASSWORD, "10.0.0.1")
    _, second = auth.login("li.wei", PASSWORD, "10.0.0.1")
    assert auth.csrf_ok(first, auth.csrf_token(first))
    assert not auth.csrf_ok(first, auth.csrf_token(second))
    assert not auth.csrf_ok(first, None)
    assert not auth.csrf_ok(first, "")


def test_five_wrong_passwords_slow_the_next_attempts(auth, accounts, clock) -> None:
    accounts.add_user("li.wei", PASSWORD)
    for _ in range(5):
        with pytest.raises(PermissionError):
            auth.login("li.wei", "wrong password", "10.0.0.1")
    # Even the right password waits now: the guesser cannot tell a hit from the delay.
    with pytest.raises(LoginThrottled) as throttled:
        auth.login("li.wei", PASSWORD, "10.0.0.2")
    assert throttled.value.retry_after == 2
    clock.advance(2)
    with pytest.raises(PermissionError):
        auth.login("li.wei", "wrong again", "10.0.0.2")
    # Each further failure doubles the wait.
    with pytest.raises(LoginThrottled) as throttled:
        auth.login("li.wei", PASSWORD, "10.0.0.2")
    assert throttled.value.retry_after == 4
    clock.advance(4)
    token, _ = auth.login("li.wei", PASSWORD, "10.0.0.3")
    assert auth.check(token) is not None
    # A success resets the count for that name.
    with pytest.raises(PermissionError):
        auth.login("li.wei", "wrong", "10.0.0.4")
    assert auth.login("li.wei", PASSWORD, "10.0.0.4")


def test_one_address_guessing_many_names_is_slowed_too(auth, accounts) -> None:
    for number in range(5):
        with pytest.raises(PermissionError):
            auth.login(f"guess{number}", "wrong password", "10.9.9.9")
    with pytest.raises(LoginThrottled):
        auth.login("another", "wrong password", "10.9.9.9")


def test_failed_logins_are_audited(auth) -> None:
    with pytest.raises(PermissionError):
        auth.login("mallory", "wrong password", "10.0.0.1")
    entry = auth.audit.recent()[0]
    assert (entry.actor, entry.action, entry.detail) == ("mallory", "login_failed", "from 10.0.0.1")
