"""Alters: CRUD, avatar URLs, keyset paging over 1,000 rows, literal search, filters, cascades, audit."""

import io

import pytest
from PIL import Image

import system_model_probe
from core.db import utcnow
from system_model_support import audit_rows, build_world, created, snapshot

pytestmark = pytest.mark.anyio


@pytest.fixture
def didhub_extra_plugins():
    return [system_model_probe]


def ids(page):
    return [item["id"] for item in page["items"]]


async def insert_alters(db, system_id, names):
    """Insert straight through the plugin's own query, in one transaction: fast, and the same SQL."""
    now = utcnow()
    async with db.transaction():
        return [
            await db.insert("alters.insert", system_id=system_id, name=name, description=None, avatar_url=None,
                            created_at=now, updated_at=now)
            for name in names
        ]


async def test_alter_crud_with_patch_semantics_and_audit_rows(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    system = await created(client, ann, "/api/v1/systems", {"name": "Lighthouse"})
    alter = await created(
        client, ann, f"/api/v1/systems/{system['id']}/alters",
        {"name": "Robin", "description": "Front-runner", "avatar_url": "https://example.org/r.png"},
    )
    assert alter["system_id"] == system["id"] and alter["created_at"] == alter["updated_at"]
    url = f"/api/v1/alters/{alter['id']}"

    renamed = (await client.patch(url, json={"name": "Robyn"}, headers=ann.headers)).json()
    assert renamed == {**alter, "name": "Robyn", "updated_at": renamed["updated_at"]}
    assert renamed["updated_at"] > alter["updated_at"]
    cleared = (await client.patch(url, json={"description": None, "avatar_url": None}, headers=ann.headers)).json()
    assert (cleared["name"], cleared["description"], cleared["avatar_url"]) == ("Robyn", None, None)
    assert (await client.get(url, headers=ann.headers)).json() == cleared

    before = await snapshot(didhub.db)
    for body in ({"name": "n" * 256}, {"system_id": 99}, {"name": None}, {"description": "d" * 16_384}):
        response = await client.patch(url, json=body, headers=ann.headers)
        assert response.status_code == 400 and response.json()["code"] == "validation_failed", body
    response = await client.post(f"/api/v1/systems/{system['id']}/alters", json={"name": "n" * 256}, headers=ann.headers)
    assert response.status_code == 400
    assert await snapshot(didhub.db) == before

    assert (await client.delete(url, headers=ann.headers)).status_code == 204
    assert (await client.get(url, headers=ann.headers)).status_code == 404
    assert (await client.delete(url, headers=ann.headers)).status_code == 404
    rows = await audit_rows(didhub.db, "alter.")
    assert [(row["action"], row["entity_type"], row["entity_id"], row["user_id"]) for row in rows] == [
        ("alter.create", "alter", alter["id"], ann.id),
        ("alter.update", "alter", alter["id"], ann.id),
        ("alter.update", "alter", alter["id"], ann.id),
        ("alter.delete", "alter", alter["id"], ann.id),
    ]
    assert [row["details"].get("fields") for row in rows] == [None, ["name"], ["avatar_url", "description"], None]


async def test_avatar_url_is_an_http_url_or_a_path_the_owner_owns(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    boss = await didhub.admin()
    system = await created(client, ann, "/api/v1/systems", {"name": "Lighthouse"})
    alters_url = f"/api/v1/systems/{system['id']}/alters"
    accepted = [
        "https://example.org/robin.png",
        "http://example.org",
        "HTTPS://EXAMPLE.ORG/A.PNG",
        f"/test-owned/{ann.id}/avatar.png",
        "https://example.org/" + "a" * 480,
    ]
    for url in accepted:
        response = await client.post(alters_url, json={"name": "A", "avatar_url": url}, headers=ann.headers)
        assert response.status_code == 201, url
        assert response.json()["avatar_url"] == url
    # an admin acting on ann's system may use ann's own paths, not the admin's
    response = await client.post(alters_url, json={"name": "A", "avatar_url": f"/test-owned/{ann.id}/a.png"}, headers=boss.headers)
    assert response.status_code == 201

    before = await snapshot(didhub.db)
    rejected = [
        f"/test-owned/{boss.id}/avatar.png",
        "/api/v1/uploads/999999/content",
        "/elsewhere/on/this/server.png",
        "//evil.example/a.png",
        "ftp://example.org/a.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "robin.png",
        "https://",
        "http://exa mple.org/a.png",
        "https://example.org/a.png\n",
        "https://example.org/a\tb.png",
        "http://[::1/a.png",
        "",
        "https://example.org/" + "a" * 481,
    ]
    for url in rejected:
        response = await client.post(alters_url, json={"name": "A", "avatar_url": url}, headers=ann.headers)
        assert response.status_code == 400, url
        assert response.json()["code"] == "validation_failed"
        assert response.json()["errors"][0]["field"] == "avatar_url"
    alter_id = before["alters"][0]["id"]
    response = await client.patch(f"/api/v1/alters/{alter_id}", json={"avatar_url": "javascript:x"}, headers=ann.headers)
    assert response.status_code == 400
    response = await client.post(
        alters_url, json={"name": "A", "avatar_url": f"/test-owned/{boss.id}/a.png"}, headers=boss.headers
    )
    assert response.status_code == 400
    assert await snapshot(didhub.db) == before


async def test_avatar_url_may_be_the_url_of_the_owners_own_upload(client, didhub, didhub_app):
    if didhub_app.state.services.pm.get_plugin("uploads") is None:
        pytest.skip("the uploads plugin is not loaded")
    ann = await didhub.create_user("ann", system=True)
    cat = await didhub.create_user("cat", system=True)
    boss = await didhub.admin()

    async def upload(user):
        image = io.BytesIO()
        Image.new("RGB", (4, 4), "teal").save(image, "PNG")
        files = {"file": ("avatar.png", image.getvalue(), "image/png")}
        response = await client.post("/api/v1/uploads", files=files, headers=user.headers)
        assert response.status_code == 201, response.text
        return response.json()["url"]

    anns, cats = await upload(ann), await upload(cat)
    system = await created(client, ann, "/api/v1/systems", {"name": "Lighthouse"})
    alters_url = f"/api/v1/systems/{system['id']}/alters"
    assert (await created(client, ann, alters_url, {"name": "Robin", "avatar_url": anns}))["avatar_url"] == anns
    assert (await created(client, boss, alters_url, {"name": "Sky", "avatar_url": anns}))["avatar_url"] == anns
    for user in (ann, boss):
        response = await client.post(alters_url, json={"name": "Wren", "avatar_url": cats}, headers=user.headers)
        assert response.status_code == 400 and response.json()["errors"][0]["field"] == "avatar_url"


async def test_paging_through_1000_alters_returns_each_once_in_id_order(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    system = await created(client, ann, "/api/v1/systems", {"name": "Lighthouse"})
    inserted = await insert_alters(didhub.db, system["id"], [f"alter {n:04}" for n in range(1000)])
    # another system's alters never show up
    other = await created(client, ann, "/api/v1/systems", {"name": "Other"})
    await insert_alters(didhub.db, other["id"], ["stranger"] * 5)

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"/api/v1/systems/{system['id']}/alters", params=params, headers=ann.headers)
        assert response.status_code == 200
        body = response.json()
        pages += 1
        assert len(body["items"]) == 100
        seen += ids(body)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 10
    assert seen == sorted(inserted) and len(set(seen)) == 1000


async def test_alters_added_or_removed_between_pages_never_appear_twice(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    system = await created(client, ann, "/api/v1/systems", {"name": "Lighthouse"})
    url = f"/api/v1/systems/{system['id']}/alters"
    original = await insert_alters(didhub.db, system["id"], [f"alter {n}" for n in range(30)])

    seen, cursor, removed = [], None, set()
    for turn in range(20):
        params = {"limit": 7} | ({"cursor": cursor} if cursor else {})
        body = (await client.get(url, params=params, headers=ann.headers)).json()
        seen += ids(body)
        cursor = body["next_cursor"]
        if cursor is None:
            break
        # between pages: one alter added, the last one seen and the next one not yet seen removed
        await created(client, ann, url, {"name": f"added {turn}"})
        upcoming = [alter for alter in original if alter > seen[-1] and alter not in removed]
        for victim in [seen[-1]] + upcoming[:1]:
            assert (await client.delete(f"/api/v1/alters/{victim}", headers=ann.headers)).status_code == 204
            removed.add(victim)
    assert cursor is None
    assert len(seen) == len(set(seen)) and seen == sorted(seen)
    # every alter that was there all along came back exactly once
    assert set(original) - removed <= set(seen)


async def test_search_matches_percent_underscore_and_the_escape_character_literally(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    system = await created(client, ann, "/api/v1/systems", {"name": "Lighthouse"})
    names = ["50%_off", "50xxoff", "50%Aoff", "50_%off", "THE 50%_OFF SALE", "a!b", "ab", "a!!b", "Zoë", "Élan"]
    await insert_alters(didhub.db, system["id"], names)

    async def search(text):
        response = await client.get(f"/api/v1/systems/{system['id']}/alters", params={"q": text}, headers=ann.headers)
        assert response.status_code == 200
        return [item["name"] for item in response.json()["items"]]

    assert await search("50%_off") == ["50%_off", "THE 50%_OFF SALE"]
    assert await search("%") == ["50%_off", "50%Aoff", "50_%off", "THE 50%_OFF SALE"]
    assert await search("_") == ["50%_off", "50_%off", "THE 50%_OFF SALE"]
    assert await search("!") == ["a!b", "a!!b"]
    assert await search("!!") == ["a!!b"]
    assert await search("ZOË") == ["Zoë"]
    assert await search("élan") == ["Élan"]  # SQLite's own LOWER() folds only ASCII
    assert await search("ab") == ["ab"]
    assert await search("") == names
    assert await search("nothing like it") == []
    too_long = await client.get(f"/api/v1/systems/{system['id']}/alters", params={"q": "x" * 256}, headers=ann.headers)
    assert too_long.status_code == 400
    nul = await client.get(f"/api/v1/systems/{system['id']}/alters", params={"q": "a\x00"}, headers=ann.headers)
    assert nul.status_code == 400


async def test_filters_combine_and_a_group_of_another_system_matches_nothing(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    world = await build_world(client, ann)
    other = await build_world(client, ann, "Other")
    h = ann.headers
    url = f"/api/v1/systems/{world.system}/alters"
    extra = await created(client, ann, url, {"name": "Rowan"})
    for alter in (world.spare_alter, extra["id"]):
        assert (await client.put(f"/api/v1/groups/{world.group}/members/{alter}", headers=h)).status_code == 204
    assert (await client.put(f"/api/v1/subsystems/{world.subsystem}/members/{extra['id']}", headers=h)).status_code == 200

    async def listed(**params):
        response = await client.get(url, params=params, headers=h)
        assert response.status_code == 200
        return ids(response.json())

    assert await listed() == [world.alter, world.spare_alter, extra["id"]]
    assert await listed(group_id=world.group) == [world.alter, world.spare_alter, extra["id"]]
    assert await listed(subsystem_id=world.subsystem) == [world.alter, extra["id"]]
    assert await listed(group_id=world.group, subsystem_id=world.subsystem) == [world.alter, extra["id"]]
    assert await listed(group_id=world.group, subsystem_id=world.subsystem, q="RO") == [world.alter, extra["id"]]
    assert await listed(group_id=world.group, q="sk") == [world.spare_alter]
    assert await listed(subsystem_id=world.subsystem, q="wan") == [extra["id"]]
    first = (await client.get(url, params={"group_id": world.group, "limit": 2}, headers=h)).json()
    rest = (await client.get(url, params={"group_id": world.group, "cursor": first["next_cursor"]}, headers=h)).json()
    assert ids(first) + ids(rest) == [world.alter, world.spare_alter, extra["id"]] and rest["next_cursor"] is None
    # filters naming another system's group or subsystem, or none at all, match nothing
    assert await listed(group_id=other.group) == []
    assert await listed(subsystem_id=other.subsystem) == []
    assert await listed(group_id=other.group, subsystem_id=world.subsystem) == []
    assert await listed(group_id=999_999) == []
    bad = await client.get(url, params={"group_id": 0}, headers=h)
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"


async def test_deleting_an_alter_removes_its_memberships(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    world = await build_world(client, ann)
    h = ann.headers
    assert (await client.put(f"/api/v1/groups/{world.group}/members/{world.spare_alter}", headers=h)).status_code == 204
    assert (await client.delete(f"/api/v1/alters/{world.alter}", headers=h)).status_code == 204

    tables = await snapshot(didhub.db)
    assert [row["id"] for row in tables["alters"]] == [world.spare_alter]
    assert [(row["group_id"], row["alter_id"]) for row in tables["alter_groups"]] == [(world.group, world.spare_alter)]
    assert tables["subsystem_members"] == []
    assert [row["id"] for row in tables["groups"]] == [world.group]
    assert [row["id"] for row in tables["subsystems"]] == [world.subsystem]
    assert (await audit_rows(didhub.db, "alter.delete"))[0]["entity_id"] == world.alter
