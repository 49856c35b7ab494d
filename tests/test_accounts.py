"""The accounts plugin: sign-up, sign-in, tokens, the admin's users API, bootstrap and CLI."""

import asyncio
import dataclasses
import json
import threading
from datetime import timedelta

import httpx
import msgspec
import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner

import accounts_probe
from core.app import build_services, started
from core.config import load_config
from core.db import utcnow
from core.errors import RateLimited
from core.testing import ADMIN_PASSWORD, DEFAULT_PASSWORD
from plugins.accounts import passwords, service
from plugins.accounts.bootstrap import ensure_admin
from plugins.accounts.throttle import LoginThrottle

pytestmark = pytest.mark.anyio

USER_KEYS = {"id", "username", "is_admin", "is_system", "is_approved", "created_at", "updated_at"}


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Real argon2id, at the lowest cost, so the many sign-ins here stay quick."""
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def didhub_extra_plugins():
    accounts_probe.deletions.clear()
    return [accounts_probe]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


async def audit_rows(didhub):
    return await didhub.db.fetch_all("accounts_probe.audit_rows")


async def actions_after(didhub, seen):
    return [row["action"] for row in (await audit_rows(didhub))[seen:]]


async def register(client, username, password=DEFAULT_PASSWORD, **extra):
    return await client.post("/api/v1/auth/register", json={"username": username, "password": password, **extra})


async def login(client, username, password=DEFAULT_PASSWORD):
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password})


async def set_registration_mode(client, admin, mode):
    response = await client.put("/api/v1/settings/registration.mode", json={"value": mode}, headers=admin.headers)
    assert response.status_code == 200, response.text


# --- the life of an account ----------------------------------------------------------------


async def test_registered_user_is_approved_then_uses_and_revokes_a_read_token(didhub, client):
    admin = await didhub.admin()
    registered = await register(client, "ann")
    assert registered.status_code == 201, registered.text
    ann = registered.json()
    assert set(ann) == USER_KEYS
    assert (ann["username"], ann["is_approved"], ann["is_admin"], ann["is_system"]) == ("ann", False, False, False)

    refused = await login(client, "ann")
    assert refused.status_code == 403 and refused.json()["code"] == "not_approved"

    approved = await client.patch(f"/api/v1/users/{ann['id']}", json={"is_approved": True}, headers=admin.headers)
    assert approved.status_code == 200 and approved.json()["is_approved"] is True

    signed_in = await login(client, "ann")
    assert signed_in.status_code == 200, signed_in.text
    body = signed_in.json()
    assert body["token_type"] == "bearer" and body["user"]["id"] == ann["id"] and body["expires_at"].endswith("Z")
    session = bearer(body["token"])

    created = await client.post("/api/v1/me/tokens", json={"name": "reader", "scopes": ["read"]}, headers=session)
    assert created.status_code == 201, created.text
    read_token = created.json()
    assert read_token["scopes"] == ["read"] and read_token["token"].startswith("dh_")

    me = await client.get("/api/v1/me", headers=bearer(read_token["token"]))
    assert me.status_code == 200 and me.json()["id"] == ann["id"]
    write = await client.patch("/api/v1/me", json={"username": "anne"}, headers=bearer(read_token["token"]))
    assert write.status_code == 403 and write.json()["code"] == "forbidden"

    listed = (await client.get("/api/v1/me/tokens", headers=session)).json()["items"]
    assert {item["name"] for item in listed} == {"login", "reader"}
    assert all(set(item) == {"id", "name", "scopes", "created_at", "expires_at", "last_used_at"} for item in listed)

    revoked = await client.delete(f"/api/v1/me/tokens/{read_token['id']}", headers=session)
    assert revoked.status_code == 204
    gone = await client.get("/api/v1/me", headers=bearer(read_token["token"]))
    assert gone.status_code == 401 and gone.json()["code"] == "unauthenticated"
    again = await client.delete(f"/api/v1/me/tokens/{read_token['id']}", headers=session)
    assert again.status_code == 404


async def test_tokens_are_stored_hashed_and_expire(didhub, client):
    ann = await didhub.create_user("ann")
    created = (
        await client.post("/api/v1/me/tokens", json={"name": "cli", "expires_in_days": 7}, headers=ann.headers)
    ).json()
    assert created["scopes"] == ["read", "write"]
    rows = {row["id"]: row for row in await didhub.db.fetch_all("accounts_probe.tokens", user_id=ann.id)}
    stored = rows[created["id"]]
    assert stored["token_hash"] == service.token_digest(created["token"]) and created["token"] not in json.dumps(
        rows, default=str
    )
    assert stored["scopes"] == "read write"
    assert timedelta(days=6, hours=23) < stored["expires_at"] - utcnow() <= timedelta(days=7)

    assert (await client.get("/api/v1/me", headers=bearer(created["token"]))).status_code == 200
    used = await didhub.db.fetch_all("accounts_probe.tokens", user_id=ann.id)
    assert {row["id"]: row["last_used_at"] for row in used}[created["id"]] is not None

    async with didhub.db.transaction():
        await didhub.db.execute(
            "accounts_probe.expire_token", id=created["id"], expires_at=utcnow() - timedelta(seconds=1)
        )
    expired = await client.get("/api/v1/me", headers=bearer(created["token"]))
    assert expired.status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer("dh_not-a-token"))).status_code == 401

    for bad in (
        {"name": "x", "scopes": ["write"]},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": 3651},
        {"name": ""},
    ):
        refused = await client.post("/api/v1/me/tokens", json=bad, headers=ann.headers)
        assert refused.status_code == 400 and refused.json()["code"] == "validation_failed", bad


async def test_password_change_revokes_other_tokens_and_logout_revokes_the_presented_one(didhub, client):
    ann = await didhub.create_user("ann")
    other_session = await didhub.login("ann", DEFAULT_PASSWORD)
    personal = await didhub.token(ann, ["read", "write"])

    wrong = await client.post(
        "/api/v1/me/password",
        json={"current_password": "not it at all", "new_password": "a new password"},
        headers=ann.headers,
    )
    assert wrong.status_code == 403 and wrong.json()["code"] == "forbidden"

    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "a new password"},
        headers=ann.headers,
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/me", headers=ann.headers)).status_code == 200
    for revoked in (other_session, personal):
        assert (await client.get("/api/v1/me", headers=bearer(revoked))).status_code == 401
    assert (await login(client, "ann")).status_code == 401
    assert (await login(client, "ann", "a new password")).status_code == 200

    assert (await client.post("/api/v1/auth/logout", headers=ann.headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=ann.headers)).status_code == 401


def client_from(app, address):
    """A client whose requests come from `address`."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_failed_sign_ins_look_alike_and_the_eleventh_is_throttled(didhub, client):
    ann = await didhub.create_user("ann")
    unknown = await login(client, "nobody", DEFAULT_PASSWORD)
    wrong = await login(client, "ann", "wrong password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json() and unknown.json()["code"] == "invalid_credentials"
    failed = [row for row in await audit_rows(didhub) if row["action"] == "auth.login_failed"]
    assert [(row["user_id"], row["details"]) for row in failed] == [
        (None, {"username": "nobody"}),
        (ann.id, {"username": "ann"}),
    ]

    # per address: ten failures from one address, then the eleventh attempt is refused
    for _ in range(8):
        assert (await login(client, "ann", "wrong password")).status_code == 401
    throttled = await login(client, "ann", "wrong password")
    assert throttled.status_code == 429 and throttled.json()["code"] == "rate_limited"
    assert 0 < int(throttled.headers["Retry-After"]) <= 15 * 60
    assert (await login(client, "ann")).status_code == 429  # not even the right password
    failed = [row for row in await audit_rows(didhub) if row["action"] == "auth.login_failed"]
    assert len(failed) == 10  # a refused attempt checks no password and leaves no row
    async with client_from(didhub.app, "10.0.0.1") as elsewhere:
        assert (await login(elsewhere, "ann")).status_code == 200  # ann's own failures are forgotten

    # per username: ten wrong passwords for ann from ten addresses, then ann is refused anywhere
    for number in range(2, 13):
        async with client_from(didhub.app, f"10.0.0.{number}") as elsewhere:
            response = await login(elsewhere, "ann", "wrong password")
        assert response.status_code == (401 if number < 12 else 429)


def test_throttle_forgets_after_the_window_and_stays_bounded():
    now = [0.0]
    throttle = LoginThrottle(limit=3, window_seconds=60, max_keys=5, clock=lambda: now[0])
    for second in (0, 10, 20):
        now[0] = second
        throttle.check(["user:ann"])
        throttle.fail("user:ann")
    with pytest.raises(RateLimited) as refused:
        throttle.check(["address:x", "user:ann"])
    assert refused.value.headers["Retry-After"] == "40"  # when the first failure leaves the window
    now[0] = 60.5
    throttle.check(["user:ann"])  # one failure left the window: one more attempt is allowed
    throttle.fail("user:ann")
    with pytest.raises(RateLimited):
        throttle.check(["user:ann"])

    for number in range(10):
        throttle.fail(f"address:{number}")
    assert len(throttle._failures) == 5  # the least recently failed keys went first
    throttle.check(["user:ann"])


async def test_usernames_are_unique_regardless_of_case(didhub, client):
    admin = await didhub.admin()
    assert (await register(client, "ann")).status_code == 201
    for attempt in (
        register(client, "Ann"),
        client.post("/api/v1/users", json={"username": "ANN", "password": DEFAULT_PASSWORD}, headers=admin.headers),
        client.patch("/api/v1/me", json={"username": "aNn"}, headers=admin.headers),
    ):
        response = await attempt
        assert response.status_code == 409 and response.json()["code"] == "username_taken", response.text

    renamed = await client.patch("/api/v1/me", json={"username": "Boss"}, headers=admin.headers)
    assert renamed.status_code == 200 and renamed.json()["username"] == "Boss"
    assert (await login(client, "boss", ADMIN_PASSWORD)).status_code == 200


async def test_sign_in_ignores_case_and_renews_an_outdated_hash(didhub, client, monkeypatch):
    ann = await didhub.create_user("Ann")
    before = await didhub.db.fetch_val("accounts.get_password_hash", id=ann.id)
    assert before.startswith("$argon2id$") and ",t=1," in before
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=8, parallelism=1))
    assert (await login(client, "aNN")).status_code == 200
    after = await didhub.db.fetch_val("accounts.get_password_hash", id=ann.id)
    assert ",t=2," in after
    assert (await login(client, "ann")).status_code == 200


async def test_bad_input_and_unknown_fields_are_refused(didhub, client):
    for body in [
        {"username": "", "password": DEFAULT_PASSWORD},
        {"username": "x" * 256, "password": DEFAULT_PASSWORD},
        {"username": "two words", "password": DEFAULT_PASSWORD},
        {"username": "ann\n", "password": DEFAULT_PASSWORD},
        {"username": "ann", "password": "short"},
        {"username": "ann", "password": "x" * 1025},
        {"username": "ann", "password": DEFAULT_PASSWORD, "note": "only with is_system"},
    ]:
        response = await register(client, **body)
        assert response.status_code == 400 and response.json()["code"] == "validation_failed", response.text
        assert response.json()["errors"]
    assert (await register(client, "x" * 255, "x" * 1024)).status_code == 201

    # unknown fields
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    attempts = [
        register(client, "bob", is_admin=True),
        client.post("/api/v1/auth/login", json={"username": "ann", "password": DEFAULT_PASSWORD, "remember": True}),
        client.patch("/api/v1/me", json={"is_admin": True}, headers=ann.headers),
        client.patch(f"/api/v1/users/{ann.id}", json={"username": "x"}, headers=admin.headers),
        client.post(
            "/api/v1/users", json={"username": "bob", "password": DEFAULT_PASSWORD, "role": "x"}, headers=admin.headers
        ),
        client.post("/api/v1/me/tokens", json={"name": "x", "token": "mine"}, headers=ann.headers),
        client.post(
            "/api/v1/me/password", json={"current_password": "x", "new_password": "y" * 8, "x": 1}, headers=ann.headers
        ),
    ]
    for attempt in attempts:
        response = await attempt
        assert response.status_code == 400, response.text
        problem = response.json()
        assert problem["code"] == "validation_failed" and problem["errors"], problem


async def test_registration_modes_and_system_requests(didhub, client):
    admin = await didhub.admin()
    pending = await register(client, "plural", is_system=True, note="we are many")
    assert pending.status_code == 201
    plural = pending.json()
    assert plural["is_system"] is False and plural["is_approved"] is False
    requests = await didhub.db.fetch_all("accounts_probe.system_requests", user_id=plural["id"])
    assert requests == [{"status": "pending", "note": "we are many"}]

    await set_registration_mode(client, admin, "open")
    opened = await register(client, "ann")
    assert opened.status_code == 201 and opened.json()["is_approved"] is True
    assert (await login(client, "ann")).status_code == 200

    await set_registration_mode(client, admin, "closed")
    closed = await register(client, "bob")
    assert closed.status_code == 403 and closed.json()["code"] == "registration_closed"


# --- the admin's users API -----------------------------------------------------------------


async def test_admin_lists_and_filters_users(didhub, client):
    admin = await didhub.admin()
    for name, kwargs in [
        ("ann", {}),
        ("a_b", {"system": True}),
        ("axb", {}),
        ("carol", {"admin": True}),
        ("dave", {"approved": False}),
    ]:
        await didhub.create_user(name, **kwargs)

    async def names(query=""):
        response = await client.get(f"/api/v1/users{query}", headers=admin.headers)
        assert response.status_code == 200, response.text
        return [item["username"] for item in response.json()["items"]]

    assert await names() == ["admin", "ann", "a_b", "axb", "carol", "dave"]
    assert await names("?q=A_") == ["a_b"]  # `_` is a character, not a wildcard; any case
    assert await names("?q=%25") == []
    assert await names("?is_admin=true") == ["admin", "carol"]
    assert await names("?is_system=true") == ["a_b"]
    assert await names("?is_approved=false") == ["dave"]
    assert await names("?q=a&is_admin=false&is_approved=true") == ["ann", "a_b", "axb"]

    seen, cursor = [], None
    while True:
        query = "?limit=4" + (f"&cursor={cursor}" if cursor else "")
        body = (await client.get(f"/api/v1/users{query}", headers=admin.headers)).json()
        assert len(body["items"]) <= 4
        seen += [item["username"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == await names()
    bad = await client.get("/api/v1/users?cursor=nonsense", headers=admin.headers)
    assert bad.status_code == 400


async def test_admin_reads_and_changes_users_others_may_not(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    for method, path in [
        ("GET", "/api/v1/users"),
        ("GET", f"/api/v1/users/{admin.id}"),
        ("DELETE", f"/api/v1/users/{admin.id}"),
    ]:
        response = await client.request(method, path, headers=ann.headers)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert (await client.get("/api/v1/users")).status_code == 401
    for method in ("GET", "PATCH", "DELETE"):
        body = {"is_admin": True} if method == "PATCH" else None
        response = await client.request(method, "/api/v1/users/999999", headers=admin.headers, json=body)
        assert response.status_code == 404, method
    got = await client.get(f"/api/v1/users/{ann.id}", headers=admin.headers)
    assert got.status_code == 200 and set(got.json()) == USER_KEYS and "password_hash" not in got.text

    personal = await didhub.token(ann, ["read"])
    changed = await client.patch(
        f"/api/v1/users/{ann.id}", json={"password": "set by the admin", "is_system": True}, headers=admin.headers
    )
    assert changed.status_code == 200 and changed.json()["is_system"] is True
    for token in (ann.token, personal):
        assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    assert (await login(client, "ann", "set by the admin")).status_code == 200


async def test_the_last_admin_cannot_be_demoted_or_deleted(didhub, client):
    admin = await didhub.admin()
    for change in ({"is_admin": False}, {"is_approved": False}):
        response = await client.patch(f"/api/v1/users/{admin.id}", json=change, headers=admin.headers)
        assert response.status_code == 409 and response.json()["code"] == "last_admin"
    deleted = await client.delete(f"/api/v1/users/{admin.id}", headers=admin.headers)
    assert deleted.status_code == 409 and deleted.json()["code"] == "last_admin"

    carol = await didhub.create_user("carol", admin=True)
    demoted = await client.patch(f"/api/v1/users/{admin.id}", json={"is_admin": False}, headers=carol.headers)
    assert demoted.status_code == 200 and demoted.json()["is_admin"] is False
    refused = await client.delete(f"/api/v1/users/{carol.id}", headers=carol.headers)
    assert refused.status_code == 409 and refused.json()["code"] == "last_admin"

    # two admins demoting each other at once: one must lose
    body = {"username": "dave", "password": DEFAULT_PASSWORD, "is_admin": True}
    dave_id = (await client.post("/api/v1/users", json=body, headers=carol.headers)).json()["id"]
    dave = bearer((await login(client, "dave")).json()["token"])
    responses = await asyncio.gather(
        client.patch(f"/api/v1/users/{dave_id}", json={"is_admin": False}, headers=carol.headers),
        client.patch(f"/api/v1/users/{carol.id}", json={"is_admin": False}, headers=dave),
    )
    # the loser is refused either by the last-admin check or, when the winner committed before
    # the loser's request was authorised, because it is no admin any more
    assert sorted(response.status_code for response in responses) in ([200, 403], [200, 409])
    admins = await didhub.db.fetch_all(
        "accounts.list_users", after=0, pattern=None, is_admin=True, is_system=None, is_approved=True, limit=10
    )
    assert len(admins) == 1


async def test_deleting_a_user_cascades_and_runs_the_deleting_hooks(didhub, client):
    admin = await didhub.admin()
    registered = (await register(client, "plural", is_system=True, note="hello")).json()
    await client.patch(
        f"/api/v1/users/{registered['id']}", json={"is_approved": True, "is_system": True}, headers=admin.headers
    )
    plural_token = (await login(client, "plural")).json()["token"]
    now = utcnow()
    async with didhub.db.transaction():
        system_id = await didhub.db.insert("accounts_probe.insert_system", user_id=registered["id"], name="us", now=now)
        await didhub.db.insert("accounts_probe.insert_alter", system_id=system_id, name="one", now=now)
    before = await didhub.db.fetch_one("accounts_probe.user_rows", user_id=registered["id"], system_id=system_id)
    assert before == {"users": 1, "api_tokens": 1, "system_requests": 1, "systems": 1, "alters": 1}

    deleted = await client.delete(f"/api/v1/users/{registered['id']}", headers=admin.headers)
    assert deleted.status_code == 204
    after = await didhub.db.fetch_one("accounts_probe.user_rows", user_id=registered["id"], system_id=system_id)
    assert after == {"users": 0, "api_tokens": 0, "system_requests": 0, "systems": 0, "alters": 0}
    assert accounts_probe.deletions == [
        {"user_id": registered["id"], "row_during_hook": True, "row_after_commit": False}
    ]
    assert (await client.get("/api/v1/me", headers=bearer(plural_token))).status_code == 401


# --- audit ---------------------------------------------------------------------------------


async def test_every_mutation_leaves_one_audit_row_and_no_secret(didhub, client):
    admin = await didhub.admin()
    secrets = {ADMIN_PASSWORD, DEFAULT_PASSWORD, admin.token}

    async def expect(action, attempt, status):
        seen = len(await audit_rows(didhub))
        response = await attempt
        assert response.status_code == status, response.text
        assert await actions_after(didhub, seen) == ([action] if action else []), action
        return response

    user = (await expect("auth.register", register(client, "ann"), 201)).json()
    await expect(None, register(client, "ANN"), 409)
    await expect(
        "user.update",
        client.patch(f"/api/v1/users/{user['id']}", json={"is_approved": True}, headers=admin.headers),
        200,
    )
    await expect(None, client.patch(f"/api/v1/users/{admin.id}", json={"is_admin": False}, headers=admin.headers), 409)
    await expect("auth.login_failed", login(client, "ann", "the wrong one"), 401)
    session = (await expect("auth.login", login(client, "ann"), 200)).json()["token"]
    secrets.add(session)
    token = (
        await expect("token.create", client.post("/api/v1/me/tokens", json={"name": "t"}, headers=bearer(session)), 201)
    ).json()
    secrets.add(token["token"])
    await expect("token.revoke", client.delete(f"/api/v1/me/tokens/{token['id']}", headers=bearer(session)), 204)
    await expect(None, client.delete(f"/api/v1/me/tokens/{token['id']}", headers=bearer(session)), 404)
    change = {"current_password": DEFAULT_PASSWORD, "new_password": "second password"}
    await expect(
        None,
        client.post("/api/v1/me/password", json={**change, "current_password": "wrong!!!"}, headers=bearer(session)),
        403,
    )
    await expect("user.password_change", client.post("/api/v1/me/password", json=change, headers=bearer(session)), 204)
    secrets.add("second password")
    await expect("user.update", client.patch("/api/v1/me", json={"username": "anne"}, headers=bearer(session)), 200)
    await expect("auth.logout", client.post("/api/v1/auth/logout", headers=bearer(session)), 204)
    new_user = {"username": "bob", "password": "bob's password", "is_system": True}
    secrets.add("bob's password")
    bob = (await expect("user.create", client.post("/api/v1/users", json=new_user, headers=admin.headers), 201)).json()
    await expect(None, client.post("/api/v1/users", json=new_user, headers=admin.headers), 409)
    secrets.add("bob's new password")
    await expect(
        "user.update",
        client.patch(f"/api/v1/users/{bob['id']}", json={"password": "bob's new password"}, headers=admin.headers),
        200,
    )
    await expect("user.delete", client.delete(f"/api/v1/users/{bob['id']}", headers=admin.headers), 204)
    await expect(None, client.delete(f"/api/v1/users/{admin.id}", headers=admin.headers), 409)

    rows = await audit_rows(didhub)
    by_action = {row["action"]: row for row in rows}
    assert by_action["auth.login"]["user_id"] == user["id"]
    assert by_action["user.update"]["details"] == {"fields": ["password"]}
    text = json.dumps(rows, default=str)
    for secret in secrets | {service.token_digest(secret) for secret in secrets}:
        assert secret not in text


# --- hashing stays off the event loop ------------------------------------------------------


async def test_health_answers_while_logins_hash(didhub, client, monkeypatch):
    admin = await didhub.admin()
    usernames = [f"user{number}" for number in range(20)]
    for username in usernames:
        body = {"username": username, "password": DEFAULT_PASSWORD}
        assert (await client.post("/api/v1/users", json=body, headers=admin.headers)).status_code == 201

    loop = asyncio.get_running_loop()
    hashing_started = asyncio.Event()
    release = threading.Event()
    hashing_threads = set()
    real_check = passwords._check

    def held_check(password_hash, password):
        # every verification waits in its worker thread until health has answered
        hashing_threads.add(threading.get_ident())
        loop.call_soon_threadsafe(hashing_started.set)
        release.wait(timeout=30)  # only a safety net should the test break
        return real_check(password_hash, password)

    monkeypatch.setattr(passwords, "_check", held_check)
    logins = [asyncio.create_task(login(client, username)) for username in usernames]
    try:
        await hashing_started.wait()
        health = await client.get("/health")
        assert health.status_code == 200
        assert not any(task.done() for task in logins)
    finally:
        release.set()
    assert [response.status_code for response in await asyncio.gather(*logins)] == [200] * 20
    assert threading.get_ident() not in hashing_threads


# --- bootstrap -----------------------------------------------------------------------------


@pytest.mark.parametrize("didhub_settings", [{"DIDHUB_ADMIN_USERNAME": "", "DIDHUB_ADMIN_PASSWORD": ""}])
async def test_bootstrap_creates_one_admin_even_when_two_workers_race(didhub, client):
    services = didhub.app.state.services
    assert (
        await client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    ).status_code == 401

    config = msgspec.structs.replace(services.config, admin_username="root", admin_password="root password")
    worker = dataclasses.replace(services, config=config)
    await asyncio.gather(ensure_admin(worker), ensure_admin(worker))
    await ensure_admin(worker)
    await ensure_admin(dataclasses.replace(services, config=msgspec.structs.replace(config, admin_username="other")))

    signed_in = await login(client, "root", "root password")
    assert signed_in.status_code == 200
    root = signed_in.json()["user"]
    assert root["is_admin"] and root["is_approved"]
    everyone = (await client.get("/api/v1/users", headers=bearer(signed_in.json()["token"]))).json()["items"]
    assert [item["username"] for item in everyone] == ["root"]
    assert [row["action"] for row in await audit_rows(didhub)].count("user.create") == 1


# --- the CLI -------------------------------------------------------------------------------


@pytest.fixture
def cli(didhub_db_url, monkeypatch, tmp_path):
    """`didhub` with the accounts commands, on a fresh database, without a bootstrap admin."""
    from core.cli import cli as group
    from plugins.accounts import didhub_cli

    for name in ("DIDHUB_ADMIN_USERNAME", "DIDHUB_ADMIN_PASSWORD", "DIDHUB_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DIDHUB_DB", didhub_db_url)
    monkeypatch.setenv("DIDHUB_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("DIDHUB_LOG", "didhub=warning")
    didhub_cli(cli=group)
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(group, list(args), input=input)


def _with_services(work):
    async def run():
        services, migrator = build_services(load_config())  # the environment the `cli` fixture set
        async with started(services, migrator):
            return await work(services)

    return asyncio.run(run())


def _accounts():
    """username → (is_admin, is_system, is_approved, password_hash), read straight from the database."""

    async def read(services):
        rows = await services.db.fetch_all(
            "accounts.list_users", after=0, pattern=None, is_admin=None, is_system=None, is_approved=None, limit=100
        )
        return {
            row["username"]: (
                row["is_admin"],
                row["is_system"],
                row["is_approved"],
                await services.db.fetch_val("accounts.get_password_hash", id=row["id"]),
            )
            for row in rows
        }

    return _with_services(read)


def _add_waiting_user(username):
    async def add(services):
        async with services.db.transaction():
            await service.insert_user(
                services.db, username=username, password_hash="x", is_admin=False, is_system=False, is_approved=False
            )

    _with_services(add)


# synchronous: click's commands run their own event loop
def test_cli_creates_lists_and_approves_users(cli):
    created = cli("users", "create", "root", "--admin", "--password-stdin", input="root password\nignored\n")
    assert created.exit_code == 0, created.output
    prompted = cli("users", "create", "Plural", "--system", input="our password\nour password\n")
    assert prompted.exit_code == 0, prompted.output
    assert "our password" not in prompted.output

    mismatch = cli("users", "create", "carol", input="one password\nanother one\n" * 3)
    assert mismatch.exit_code != 0
    taken = cli("users", "create", "PLURAL", "--password-stdin", input="whatever pass\n")
    assert taken.exit_code == 1 and "taken" in taken.output
    short = cli("users", "create", "dave", "--password-stdin", input="short\n")
    assert short.exit_code == 2

    accounts = _accounts()
    assert {name: flags[:3] for name, flags in accounts.items()} == {
        "root": (True, False, True),
        "Plural": (False, True, True),
    }
    assert PasswordHasher().verify(accounts["root"][3], "root password")

    listed = cli("users", "list")
    assert listed.exit_code == 0
    lines = [line.split() for line in listed.output.splitlines()]
    assert [line[1:] for line in lines] == [["root", "admin", "approved"], ["Plural", "system", "approved"]]

    assert cli("users", "approve", "nobody").exit_code == 1
    _add_waiting_user("waiting")
    approved = cli("users", "approve", "WAITING")
    assert approved.exit_code == 0, approved.output
    assert _accounts()["waiting"][2] is True
