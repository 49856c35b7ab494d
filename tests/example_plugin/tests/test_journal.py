"""The journal plugin's own tests: they use only the fixtures DIDHub ships (pytest plugin "didhub")."""

import pytest

pytestmark = pytest.mark.anyio


async def _alter(client, owner) -> int:
    system = await client.post("/api/v1/systems", json={"name": "Our system"}, headers=owner.headers)
    assert system.status_code == 201, system.text
    alter = await client.post(f"/api/v1/systems/{system.json()['id']}/alters", json={"name": "Robin"}, headers=owner.headers)
    assert alter.status_code == 201, alter.text
    return alter.json()["id"]


async def test_the_owner_writes_and_reads_the_journal(client, didhub):
    owner = await didhub.create_user("ann", system=True)
    alter_id = await _alter(client, owner)

    created = await client.post(f"/api/v1/alters/{alter_id}/journal", json={"body": "Slept well."}, headers=owner.headers)
    assert created.status_code == 201
    entries = await client.get(f"/api/v1/alters/{alter_id}/journal", headers=owner.headers)
    assert entries.status_code == 200
    assert [entry["body"] for entry in entries.json()["items"]] == ["Slept well."]

    audit = await client.get("/api/v1/audit-logs", params={"action": "journal.create"}, headers=(await didhub.admin()).headers)
    assert [row["entity_id"] for row in audit.json()["items"]] == [created.json()["id"]]


async def test_another_user_gets_404_on_a_journal_that_is_not_theirs(client, didhub):
    owner = await didhub.create_user("ann", system=True)
    stranger = await didhub.create_user("bob", system=True)
    alter_id = await _alter(client, owner)
    entry = await client.post(f"/api/v1/alters/{alter_id}/journal", json={"body": "private"}, headers=owner.headers)

    assert (await client.get(f"/api/v1/alters/{alter_id}/journal", headers=stranger.headers)).status_code == 404
    assert (await client.post(f"/api/v1/alters/{alter_id}/journal", json={"body": "x"}, headers=stranger.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/journal/{entry.json()['id']}", headers=stranger.headers)).status_code == 404
    assert (await client.get(f"/api/v1/alters/{alter_id}/journal", headers=(await didhub.admin()).headers)).status_code == 200


async def test_the_setting_limits_entries(client, didhub):
    owner = await didhub.create_user("ann", system=True)
    alter_id = await _alter(client, owner)
    admin = await didhub.admin()
    assert (await client.put("/api/v1/settings/journal.max_entry_length", json={"value": 5}, headers=admin.headers)).status_code == 200
    too_long = await client.post(f"/api/v1/alters/{alter_id}/journal", json={"body": "123456"}, headers=owner.headers)
    assert too_long.status_code == 400
    assert too_long.json()["code"] == "validation_failed"


async def test_deleting_the_alter_removes_its_journal(client, didhub):
    owner = await didhub.create_user("ann", system=True)
    alter_id = await _alter(client, owner)
    await client.post(f"/api/v1/alters/{alter_id}/journal", json={"body": "entry"}, headers=owner.headers)
    assert (await client.delete(f"/api/v1/alters/{alter_id}", headers=owner.headers)).status_code == 204
    assert await didhub.db.fetch_val("journal.count_entries") == 0
