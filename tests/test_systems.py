"""Systems: lists, PATCH semantics, cascades and audit rows, and the whole system model built
and read back through the API. Who may create systems: test_system_model_authorization.py."""

import pytest

import system_model_probe
from system_model_support import audit_rows, build_world, created, snapshot

pytestmark = pytest.mark.anyio


@pytest.fixture
def didhub_extra_plugins():
    return [system_model_probe]


def ids(page):
    return [item["id"] for item in page["items"]]


async def test_a_system_account_builds_its_system_and_reads_it_back_exactly(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    h = ann.headers
    system = await created(client, ann, "/api/v1/systems", {"name": "Lighthouse", "description": "Our home"})
    assert system["user_id"] == ann.id and system["description"] == "Our home"
    assert system["created_at"].endswith("Z") and system["created_at"] == system["updated_at"]
    base = f"/api/v1/systems/{system['id']}"
    robin = await created(client, ann, f"{base}/alters", {"name": "Robin", "avatar_url": "https://example.org/robin.png"})
    sky = await created(client, ann, f"{base}/alters", {"name": "Sky", "description": "Likes 🌧️ rain"})
    wren = await created(client, ann, f"{base}/alters", {"name": "Wren"})
    littles = await created(client, ann, f"{base}/groups", {"name": "Littles", "color": "#FFAA00"})
    protectors = await created(client, ann, f"{base}/groups", {"name": "Protectors", "description": None})
    garden = await created(client, ann, f"{base}/subsystems", {"name": "Garden", "color": "#2e8b57"})

    for alter in (robin, sky):
        assert (await client.put(f"/api/v1/groups/{littles['id']}/members/{alter['id']}", headers=h)).status_code == 204
    assert (await client.put(f"/api/v1/groups/{protectors['id']}/members/{wren['id']}", headers=h)).status_code == 204
    # Sky moves from Littles to Protectors
    assert (await client.delete(f"/api/v1/groups/{littles['id']}/members/{sky['id']}", headers=h)).status_code == 204
    assert (await client.put(f"/api/v1/groups/{protectors['id']}/members/{sky['id']}", headers=h)).status_code == 204
    joined = await client.put(f"/api/v1/subsystems/{garden['id']}/members/{robin['id']}", headers=h)
    assert joined.json() == {"subsystem_id": garden["id"], "alter_id": robin["id"], "role": "member"}
    joined = await client.put(f"/api/v1/subsystems/{garden['id']}/members/{wren['id']}", json={"role": "gatekeeper"}, headers=h)
    assert joined.json()["role"] == "gatekeeper"
    # Robin's role changes
    changed = await client.put(f"/api/v1/subsystems/{garden['id']}/members/{robin['id']}", json={"role": "host"}, headers=h)
    assert changed.status_code == 200 and changed.json()["role"] == "host"

    assert (await client.get(base, headers=h)).json() == system
    assert (await client.get("/api/v1/systems", headers=h)).json() == {"items": [system], "next_cursor": None}
    assert (await client.get(f"{base}/alters", headers=h)).json() == {"items": [robin, sky, wren], "next_cursor": None}
    for alter in (robin, sky, wren):
        assert (await client.get(f"/api/v1/alters/{alter['id']}", headers=h)).json() == alter
    assert (await client.get(f"{base}/groups", headers=h)).json()["items"] == [littles, protectors]
    assert (await client.get(f"/api/v1/groups/{protectors['id']}", headers=h)).json() == protectors
    assert (await client.get(f"/api/v1/groups/{littles['id']}/members", headers=h)).json()["items"] == [robin]
    assert (await client.get(f"/api/v1/groups/{protectors['id']}/members", headers=h)).json()["items"] == [sky, wren]
    assert (await client.get(f"/api/v1/alters/{sky['id']}/groups", headers=h)).json()["items"] == [protectors]
    assert (await client.get(f"/api/v1/alters/{robin['id']}/groups", headers=h)).json()["items"] == [littles]
    assert (await client.get(f"{base}/subsystems", headers=h)).json()["items"] == [garden]
    assert (await client.get(f"/api/v1/subsystems/{garden['id']}/members", headers=h)).json() == {
        "items": [{"alter": robin, "role": "host"}, {"alter": wren, "role": "gatekeeper"}],
        "next_cursor": None,
    }
    assert (await client.get(f"/api/v1/alters/{wren['id']}/subsystems", headers=h)).json()["items"] == [
        {**garden, "role": "gatekeeper"}
    ]
    assert (await client.get(f"/api/v1/alters/{sky['id']}/subsystems", headers=h)).json()["items"] == []
    in_protectors_and_garden = await client.get(
        f"{base}/alters", params={"group_id": protectors["id"], "subsystem_id": garden["id"]}, headers=h
    )
    assert ids(in_protectors_and_garden.json()) == [wren["id"]]

    tables = await snapshot(didhub.db)
    assert [(row["group_id"], row["alter_id"]) for row in tables["alter_groups"]] == [
        (littles["id"], robin["id"]), (protectors["id"], sky["id"]), (protectors["id"], wren["id"])
    ]
    assert [(row["alter_id"], row["role"]) for row in tables["subsystem_members"]] == [
        (robin["id"], "host"), (wren["id"], "gatekeeper")
    ]


async def test_lists_hold_the_callers_systems_and_admins_may_ask_for_anyones(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    cat = await didhub.create_user("cat", system=True)
    boss = await didhub.admin()
    anns = [await created(client, ann, "/api/v1/systems", {"name": f"A{n}"}) for n in range(3)]
    cats = [await created(client, cat, "/api/v1/systems", {"name": "C"})]

    first = (await client.get("/api/v1/systems", params={"limit": 2}, headers=ann.headers)).json()
    assert first["items"] == anns[:2] and first["next_cursor"]
    second = (await client.get("/api/v1/systems", params={"limit": 2, "cursor": first["next_cursor"]}, headers=ann.headers)).json()
    assert second == {"items": anns[2:], "next_cursor": None}
    assert (await client.get("/api/v1/systems", headers=cat.headers)).json()["items"] == cats
    assert (await client.get("/api/v1/systems", params={"user_id": ann.id}, headers=ann.headers)).json()["items"] == anns

    forbidden = await client.get("/api/v1/systems", params={"user_id": ann.id}, headers=cat.headers)
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    as_admin = await client.get("/api/v1/systems", params={"user_id": ann.id}, headers=boss.headers)
    assert as_admin.json()["items"] == anns
    assert (await client.get("/api/v1/systems", headers=boss.headers)).json()["items"] == []
    bad_cursor = await client.get("/api/v1/systems", params={"cursor": "nonsense"}, headers=ann.headers)
    assert bad_cursor.status_code == 400 and bad_cursor.json()["code"] == "validation_failed"


async def test_patch_changes_only_the_fields_sent_and_moves_updated_at(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    system = await created(client, ann, "/api/v1/systems", {"name": "Lighthouse", "description": "Home"})
    url = f"/api/v1/systems/{system['id']}"

    renamed = (await client.patch(url, json={"name": "Harbour"}, headers=ann.headers)).json()
    assert renamed["name"] == "Harbour" and renamed["description"] == "Home"
    assert renamed["created_at"] == system["created_at"] and renamed["updated_at"] > system["updated_at"]
    cleared = (await client.patch(url, json={"description": None}, headers=ann.headers)).json()
    assert cleared["name"] == "Harbour" and cleared["description"] is None
    assert cleared["updated_at"] > renamed["updated_at"]
    assert (await client.get(url, headers=ann.headers)).json() == cleared

    longest = (await client.patch(url, json={"name": "n" * 255}, headers=ann.headers)).json()
    assert longest["name"] == "n" * 255
    before = await snapshot(didhub.db)
    for body in (
        {"name": "n" * 256},
        {"name": None},
        {"name": ""},
        {"name": "nul\x00here"},
        {"description": "d" * 16_384},
        {"user_id": 1},
        {"nickname": "x"},
    ):
        response = await client.patch(url, json=body, headers=ann.headers)
        assert response.status_code == 400, body
        assert response.json()["code"] == "validation_failed"
    too_long = await client.post("/api/v1/systems", json={"name": "n" * 256}, headers=ann.headers)
    assert too_long.status_code == 400 and too_long.json()["errors"][0]["field"] == "name"
    assert await snapshot(didhub.db) == before

    # an admin may change anyone's system; the audit row names the admin
    boss = await didhub.admin()
    by_admin = await client.patch(url, json={"name": "Lighthouse"}, headers=boss.headers)
    assert by_admin.status_code == 200 and by_admin.json()["user_id"] == ann.id

    updates = await audit_rows(didhub.db, "system.update")
    assert [row["details"]["fields"] for row in updates] == [["name"], ["description"], ["name"], ["name"]]
    assert [row["user_id"] for row in updates] == [ann.id, ann.id, ann.id, boss.id]
    assert {(row["entity_type"], row["entity_id"]) for row in updates} == {("system", system["id"])}


async def test_deleting_a_system_removes_everything_under_it_and_nothing_else(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    doomed = await build_world(client, ann, "Doomed")
    kept = await build_world(client, ann, "Kept")
    assert (await client.delete(f"/api/v1/systems/{doomed.system}", headers=ann.headers)).status_code == 204

    tables = await snapshot(didhub.db)
    assert [row["id"] for row in tables["systems"]] == [kept.system]
    assert [row["id"] for row in tables["alters"]] == [kept.alter, kept.spare_alter]
    assert [row["id"] for row in tables["groups"]] == [kept.group]
    assert [row["id"] for row in tables["subsystems"]] == [kept.subsystem]
    assert [(row["group_id"], row["alter_id"]) for row in tables["alter_groups"]] == [(kept.group, kept.alter)]
    assert [(row["subsystem_id"], row["alter_id"]) for row in tables["subsystem_members"]] == [(kept.subsystem, kept.alter)]
    for url in (f"/api/v1/systems/{doomed.system}", f"/api/v1/alters/{doomed.alter}", f"/api/v1/groups/{doomed.group}"):
        assert (await client.get(url, headers=ann.headers)).status_code == 404
    assert (await client.delete(f"/api/v1/systems/{doomed.system}", headers=ann.headers)).status_code == 404

    rows = await audit_rows(didhub.db, "system.")
    assert [(row["action"], row["entity_id"]) for row in rows] == [
        ("system.create", doomed.system), ("system.create", kept.system), ("system.delete", doomed.system)
    ]
    assert all(row["user_id"] == ann.id for row in rows)
