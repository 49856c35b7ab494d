"""The accounts plugin: sign-up, sign-in, tokens, the admin's users API, bootstrap and CLI."""

import pytest

pytestmark = pytest.mark.anyio


async def test_bootstrap_admin_logs_in_and_creates_users(didhub, client):
    admin = await didhub.admin()
    assert admin.body["is_admin"] and admin.body["is_approved"]
    assert set(admin.body) == {"id", "username", "is_admin", "is_system", "is_approved", "created_at", "updated_at"}
    assert admin.body["created_at"].endswith("Z")
    ann = await didhub.create_user("ann", system=True)
    me = await client.get("/api/v1/me", headers=ann.headers)
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "ann" and me.json()["is_system"] is True and me.json()["is_admin"] is False
    refused = await client.post("/api/v1/users", json={"username": "bob", "password": "12345678"}, headers=ann.headers)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
