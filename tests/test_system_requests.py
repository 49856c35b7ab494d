"""System requests: ask, list, read, approve (user becomes a system) and reject, on every backend."""

import asyncio

import pytest

pytestmark = pytest.mark.anyio

BASE = "/api/v1/system-requests"
REQUEST_FIELDS = {"id", "user_id", "status", "note", "admin_notes", "created_at", "updated_at"}


async def _audit_rows(client, admin, **filters):
    response = await client.get("/api/v1/audit-logs", params={"limit": 200, **filters}, headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def _user(client, admin, user_id):
    response = await client.get(f"/api/v1/users/{user_id}", headers=admin.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _ask(client, who, note=None):
    response = await client.post(BASE, json={} if note is None else {"note": note}, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_asking_creates_a_pending_request_and_one_audit_row(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")

    response = await client.post(BASE, json={"note": "We are the Lighthouse."}, headers=ann.headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == REQUEST_FIELDS
    assert body["user_id"] == ann.id
    assert body["status"] == "pending"
    assert body["note"] == "We are the Lighthouse."
    assert body["admin_notes"] is None
    assert body["created_at"].endswith("Z") and body["created_at"] == body["updated_at"]
    row = await didhub.db.fetch_one("system_requests.get", id=body["id"])
    assert row["status"] == "pending" and row["user_id"] == ann.id
    [audit] = await _audit_rows(client, admin, action="system_request.create")
    assert audit["user_id"] == ann.id
    assert (audit["entity_type"], audit["entity_id"]) == ("system_request", body["id"])


async def test_the_body_may_be_left_out(didhub, client):
    ann = await didhub.create_user("ann")
    response = await client.post(BASE, headers=ann.headers)
    assert response.status_code == 201, response.text
    assert response.json()["note"] is None


async def test_a_second_pending_request_or_an_existing_system_is_a_conflict(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    system = await didhub.create_user("lighthouse", system=True)
    await _ask(client, ann)

    again = await client.post(BASE, json={"note": "again"}, headers=ann.headers)
    already = await client.post(BASE, json={}, headers=system.headers)

    for response in (again, already):
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "conflict"
    # a refused request leaves no row and no audit entry
    listed = (await client.get(BASE, headers=admin.headers)).json()["items"]
    assert [item["user_id"] for item in listed] == [ann.id]
    assert len(await _audit_rows(client, admin, action="system_request.create")) == 1


async def test_after_a_rejection_the_user_may_ask_again(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    first = await _ask(client, ann)
    assert (await client.post(f"{BASE}/{first['id']}/reject", headers=admin.headers)).status_code == 200

    second = await _ask(client, ann, "please reconsider")

    assert second["id"] != first["id"] and second["status"] == "pending"


async def test_a_bad_body_is_a_validation_error(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    for body in ({"note": "x" * 16_384}, {"note": 5}, {"note": "a\x00b"}, {"reason": "unknown field"}):
        response = await client.post(BASE, json=body, headers=ann.headers)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["code"] == "validation_failed"
    assert (await client.get(BASE, headers=admin.headers)).json()["items"] == []
    request = await _ask(client, ann)
    too_long = await client.post(f"{BASE}/{request['id']}/approve", json={"admin_notes": "x" * 16_384}, headers=admin.headers)
    assert too_long.status_code == 400 and too_long.json()["code"] == "validation_failed"


async def test_approving_makes_the_user_a_system_who_can_then_create_a_system(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    assert (await client.post("/api/v1/systems", json={"name": "Lighthouse"}, headers=ann.headers)).status_code == 403
    request = await _ask(client, ann, "We are many.")

    response = await client.post(f"{BASE}/{request['id']}/approve", json={"admin_notes": "Welcome."}, headers=admin.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "approved" and body["admin_notes"] == "Welcome."
    assert body["note"] == "We are many." and body["created_at"] == request["created_at"]
    user = await _user(client, admin, ann.id)
    assert user["is_system"] is True and user["is_approved"] is True
    [audit] = await _audit_rows(client, admin, action="system_request.approve")
    assert audit["user_id"] == admin.id and audit["entity_id"] == request["id"]
    assert audit["details"] == {"user_id": ann.id}
    created = await client.post("/api/v1/systems", json={"name": "Lighthouse"}, headers=ann.headers)
    assert created.status_code == 201, created.text


async def test_a_registration_request_is_listed_and_approving_it_lets_the_user_in(didhub, client):
    admin = await didhub.admin()
    registered = await client.post(
        "/api/v1/auth/register",
        json={"username": "newcomer", "password": "a long enough password", "is_system": True, "note": "Hello."},
    )
    assert registered.status_code == 201, registered.text
    user_id = registered.json()["id"]
    login = {"username": "newcomer", "password": "a long enough password"}
    assert (await client.post("/api/v1/auth/login", json=login)).status_code == 403

    pending = (await client.get(BASE, params={"status": "pending"}, headers=admin.headers)).json()["items"]
    [request] = [item for item in pending if item["user_id"] == user_id]
    assert request["note"] == "Hello."
    approved = await client.post(f"{BASE}/{request['id']}/approve", headers=admin.headers)
    assert approved.status_code == 200, approved.text

    user = await _user(client, admin, user_id)
    assert user["is_system"] is True and user["is_approved"] is True
    signed_in = await client.post("/api/v1/auth/login", json=login)
    assert signed_in.status_code == 200, signed_in.text
    headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    assert (await client.post("/api/v1/systems", json={"name": "Harbour"}, headers=headers)).status_code == 201


async def test_rejecting_leaves_the_user_as_they_were(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    before = await _user(client, admin, ann.id)
    request = await _ask(client, ann)

    response = await client.post(f"{BASE}/{request['id']}/reject", json={"admin_notes": "Not now."}, headers=admin.headers)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "rejected" and response.json()["admin_notes"] == "Not now."
    assert await _user(client, admin, ann.id) == before
    [audit] = await _audit_rows(client, admin, action="system_request.reject")
    assert audit["entity_id"] == request["id"]
    assert (await client.post("/api/v1/systems", json={"name": "Lighthouse"}, headers=ann.headers)).status_code == 403


async def test_a_decided_request_cannot_be_decided_again(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    # rejected first (ann may ask again), then approved
    for decision in ("reject", "approve"):
        request = await _ask(client, ann)
        decided = await client.post(f"{BASE}/{request['id']}/{decision}", headers=admin.headers)
        assert decided.status_code == 200
        user = await _user(client, admin, ann.id)

        for second in ("approve", "reject"):
            again = await client.post(
                f"{BASE}/{request['id']}/{second}", json={"admin_notes": "changed my mind"}, headers=admin.headers
            )
            assert again.status_code == 409, again.text
            assert again.json()["code"] == "conflict"

        assert (await client.get(f"{BASE}/{request['id']}", headers=admin.headers)).json() == decided.json()
        assert await _user(client, admin, ann.id) == user
        assert len(await _audit_rows(client, admin, entity_type="system_request", entity_id=request["id"])) == 2


async def test_two_admins_deciding_at_once_cannot_both_win(didhub, client):
    admin = await didhub.admin()
    other_admin = await didhub.create_user("second-admin", admin=True)
    ann = await didhub.create_user("ann")
    before = await _user(client, admin, ann.id)
    request = await _ask(client, ann)

    approve, reject = await asyncio.gather(
        client.post(f"{BASE}/{request['id']}/approve", headers=admin.headers),
        client.post(f"{BASE}/{request['id']}/reject", headers=other_admin.headers),
    )

    assert sorted([approve.status_code, reject.status_code]) == [200, 409]
    winner = approve if approve.status_code == 200 else reject
    stored = await didhub.db.fetch_one("system_requests.get", id=request["id"])
    assert stored["status"] == winner.json()["status"]
    user = await _user(client, admin, ann.id)
    assert user["is_system"] is (winner is approve)
    if winner is reject:
        assert user == before
    decisions = await _audit_rows(client, admin, entity_type="system_request", entity_id=request["id"])
    assert [row["action"] for row in decisions] == [f"system_request.{'approve' if winner is approve else 'reject'}", "system_request.create"]


async def test_an_unknown_request_is_404_to_decide_and_read(didhub, client):
    admin = await didhub.admin()
    responses = [
        await client.get(f"{BASE}/999", headers=admin.headers),
        await client.post(f"{BASE}/999/approve", headers=admin.headers),
        await client.post(f"{BASE}/999/reject", headers=admin.headers),
    ]
    assert [(response.status_code, response.json()["code"]) for response in responses] == [(404, "not_found")] * 3


async def test_a_request_is_readable_by_its_owner_and_admins_only(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    request = await _ask(client, ann)

    assert (await client.get(f"{BASE}/{request['id']}", headers=ann.headers)).json() == request
    assert (await client.get(f"{BASE}/{request['id']}", headers=admin.headers)).json() == request
    hidden = await client.get(f"{BASE}/{request['id']}", headers=bob.headers)
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"


async def test_users_list_their_own_requests_and_admins_list_all(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    ann_first = await _ask(client, ann)
    await client.post(f"{BASE}/{ann_first['id']}/reject", headers=admin.headers)
    ann_second = await _ask(client, ann)
    bob_request = await _ask(client, bob)

    def ids(response):
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(await client.get(BASE, headers=ann.headers)) == [ann_first["id"], ann_second["id"]]
    assert ids(await client.get(BASE, headers=bob.headers)) == [bob_request["id"]]
    assert ids(await client.get(BASE, headers=admin.headers)) == [ann_first["id"], ann_second["id"], bob_request["id"]]
    assert ids(await client.get(BASE, params={"status": "pending"}, headers=admin.headers)) == [ann_second["id"], bob_request["id"]]
    assert ids(await client.get(BASE, params={"status": "rejected"}, headers=ann.headers)) == [ann_first["id"]]
    assert ids(await client.get(BASE, params={"status": "approved"}, headers=admin.headers)) == []
    invalid = await client.get(BASE, params={"status": "maybe"}, headers=admin.headers)
    assert invalid.status_code == 400 and invalid.json()["code"] == "validation_failed"


async def test_the_list_pages_by_cursor_without_repeats(didhub, client):
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    made = []
    for _ in range(5):
        made.append((await _ask(client, ann))["id"])
        await client.post(f"{BASE}/{made[-1]}/reject", headers=admin.headers)

    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await client.get(BASE, params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == made
    bad = await client.get(BASE, params={"cursor": "not-a-cursor"}, headers=admin.headers)
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"
