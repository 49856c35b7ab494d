"""Groups and subsystems: CRUD and colours, memberships (idempotent PUT, roles, 404 for
non-members, 409 across systems), member lists that page and cost a fixed number of queries,
cascades and audit rows."""

import pytest

import system_model_probe
from core.db import utcnow
from system_model_support import audit_rows, build_world, created, snapshot

pytestmark = pytest.mark.anyio

KINDS = ("group", "subsystem")


@pytest.fixture
def didhub_extra_plugins():
    return [system_model_probe]


def ids(page):
    return [item["id"] for item in page["items"]]


async def test_groups_and_subsystems_crud_colors_and_cascades(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    world = await build_world(client, ann)
    h = ann.headers
    for kind in KINDS:
        collection = f"/api/v1/systems/{world.system}/{kind}s"
        made = await created(client, ann, collection, {"name": "Night shift", "description": "Evenings", "color": "#A1b2C3"})
        assert (made["system_id"], made["color"], made["description"]) == (world.system, "#A1b2C3", "Evenings")
        url = f"/api/v1/{kind}s/{made['id']}"
        assert (await client.get(url, headers=h)).json() == made

        recolored = (await client.patch(url, json={"color": "#000000"}, headers=h)).json()
        assert (recolored["name"], recolored["color"], recolored["description"]) == ("Night shift", "#000000", "Evenings")
        assert recolored["updated_at"] > made["updated_at"]
        cleared = (await client.patch(url, json={"color": None, "description": None}, headers=h)).json()
        assert (cleared["color"], cleared["description"], cleared["name"]) == (None, None, "Night shift")

        before = await snapshot(didhub.db)
        for color in ("red", "#abc", "#aabbccdd", "#GGGGGG", "aabbcc", " #aabbcc", "#aabbcc\n"):
            response = await client.post(collection, json={"name": "x", "color": color}, headers=h)
            assert response.status_code == 400, color
            assert response.json()["errors"][0]["field"] == "color"
            assert (await client.patch(url, json={"color": color}, headers=h)).status_code == 400
        for body in ({"name": "n" * 256}, {"name": ""}, {"system_id": 1}, {"name": None}):
            assert (await client.patch(url, json=body, headers=h)).status_code == 400, body
            if "name" in body:
                assert (await client.post(collection, json=body, headers=h)).status_code == 400, body
        assert await snapshot(didhub.db) == before
        listed = (await client.get(collection, headers=h)).json()
        assert ids(listed) == [getattr(world, kind), made["id"]] and listed["items"][1] == cleared

    # deleting a group or subsystem removes its memberships; the alters stay
    assert (await client.delete(f"/api/v1/groups/{world.group}", headers=h)).status_code == 204
    assert (await client.delete(f"/api/v1/subsystems/{world.subsystem}", headers=h)).status_code == 204
    tables = await snapshot(didhub.db)
    assert tables["alter_groups"] == [] and tables["subsystem_members"] == []
    assert [row["id"] for row in tables["alters"]] == [world.alter, world.spare_alter]
    assert (await client.get(f"/api/v1/groups/{world.group}", headers=h)).status_code == 404
    assert (await client.get(f"/api/v1/subsystems/{world.subsystem}/members", headers=h)).status_code == 404

    for kind in KINDS:
        rows = await audit_rows(didhub.db, f"{kind}.")
        actions = [row["action"] for row in rows if not row["action"].startswith(f"{kind}.member")]
        assert actions == [f"{kind}.create", f"{kind}.create", f"{kind}.update", f"{kind}.update", f"{kind}.delete"]
        assert all(row["user_id"] == ann.id and row["entity_type"] == kind for row in rows)


async def test_group_membership_put_is_idempotent_and_delete_of_a_non_member_is_404(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    world = await build_world(client, ann)
    h = ann.headers
    member = f"/api/v1/groups/{world.group}/members/{world.spare_alter}"
    for _ in range(3):
        response = await client.put(member, headers=h)
        assert response.status_code == 204 and response.content == b""
    tables = await snapshot(didhub.db)
    assert [(row["group_id"], row["alter_id"]) for row in tables["alter_groups"]] == [
        (world.group, world.alter), (world.group, world.spare_alter)
    ]
    # adding a member again changes nothing and writes no audit row
    added = await audit_rows(didhub.db, "group.member_add")
    assert [(row["entity_id"], row["details"]) for row in added] == [
        (world.group, {"alter_id": world.alter}), (world.group, {"alter_id": world.spare_alter})
    ]

    assert (await client.delete(member, headers=h)).status_code == 204
    before = await snapshot(didhub.db)
    again = await client.delete(member, headers=h)
    assert again.status_code == 404 and again.json()["code"] == "not_found"
    assert (await client.put(f"/api/v1/groups/{world.group}/members/999999", headers=h)).status_code == 404
    assert (await client.put(f"/api/v1/groups/999999/members/{world.alter}", headers=h)).status_code == 404
    assert await snapshot(didhub.db) == before
    removed = await audit_rows(didhub.db, "group.member_remove")
    assert [(row["entity_id"], row["details"]) for row in removed] == [(world.group, {"alter_id": world.spare_alter})]


async def test_subsystem_membership_sets_and_changes_the_role(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    world = await build_world(client, ann)
    h = ann.headers
    member = f"/api/v1/subsystems/{world.subsystem}/members/{world.spare_alter}"

    assert (await client.put(member, headers=h)).json() == {
        "subsystem_id": world.subsystem, "alter_id": world.spare_alter, "role": "member"
    }
    assert (await client.put(member, json={}, headers=h)).json()["role"] == "member"
    assert (await client.put(member, json={"role": "r" * 50}, headers=h)).json()["role"] == "r" * 50
    assert (await client.put(member, json={"role": "protector"}, headers=h)).json()["role"] == "protector"
    before = await snapshot(didhub.db)
    for body in ({"role": ""}, {"role": "r" * 51}, {"role": None}, {"rank": "x"}, {"role": "a\x00"}):
        response = await client.put(member, json=body, headers=h)
        assert response.status_code == 400 and response.json()["code"] == "validation_failed", body
    assert await snapshot(didhub.db) == before

    tables = await snapshot(didhub.db)
    assert [(row["alter_id"], row["role"]) for row in tables["subsystem_members"]] == [
        (world.alter, "host"), (world.spare_alter, "protector")
    ]
    # sending the same role again is no change and writes no audit row
    sets = await audit_rows(didhub.db, "subsystem.member_set")
    assert [row["details"] for row in sets] == [
        {"alter_id": world.alter, "role": "host"},
        {"alter_id": world.spare_alter, "role": "member"},
        {"alter_id": world.spare_alter, "role": "r" * 50},
        {"alter_id": world.spare_alter, "role": "protector"},
    ]

    assert (await client.delete(member, headers=h)).status_code == 204
    assert (await client.delete(member, headers=h)).status_code == 404
    tables = await snapshot(didhub.db)
    assert [(row["alter_id"], row["role"]) for row in tables["subsystem_members"]] == [(world.alter, "host")]
    removed = await audit_rows(didhub.db, "subsystem.member_remove")
    assert [(row["entity_id"], row["details"]) for row in removed] == [(world.subsystem, {"alter_id": world.spare_alter})]


async def test_joining_across_systems_is_409_and_changes_nothing(client, didhub):
    ann = await didhub.create_user("ann", system=True)
    cat = await didhub.create_user("cat", system=True)
    boss = await didhub.admin()
    home = await build_world(client, ann)
    away = await build_world(client, ann, "Second system")
    cats = await build_world(client, cat, "Cat's")
    before = await snapshot(didhub.db)

    for user in (ann, boss):
        for url in (
            f"/api/v1/groups/{home.group}/members/{away.spare_alter}",
            f"/api/v1/subsystems/{home.subsystem}/members/{away.spare_alter}",
            f"/api/v1/groups/{away.group}/members/{home.spare_alter}",
        ):
            response = await client.put(url, json={"role": "host"} if "subsystems" in url else None, headers=user.headers)
            assert response.status_code == 409, url
            assert response.json()["code"] == "cross_system"
    # an alter of somebody else's system is not even there, as far as ann can tell
    for url in (
        f"/api/v1/groups/{home.group}/members/{cats.spare_alter}",
        f"/api/v1/subsystems/{home.subsystem}/members/{cats.spare_alter}",
    ):
        response = await client.put(url, headers=ann.headers)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert await snapshot(didhub.db) == before


async def test_member_lists_page_and_cost_the_same_queries_whatever_their_length(client, didhub, monkeypatch):
    ann = await didhub.create_user("ann", system=True)
    world = await build_world(client, ann)
    h = ann.headers
    db = didhub.db
    queries = []

    def counting(original):
        async def counted(query, /, **params):
            if query.split(".")[0] in ("systems", "alters", "groups", "subsystems"):
                queries.append(query)
            return await original(query, **params)
        return counted

    for method in ("fetch_one", "fetch_all", "fetch_val", "execute", "insert"):
        monkeypatch.setattr(db, method, counting(getattr(db, method)))

    urls = (
        f"/api/v1/groups/{world.group}/members",
        f"/api/v1/subsystems/{world.subsystem}/members",
        f"/api/v1/systems/{world.system}/alters?group_id={world.group}&subsystem_id={world.subsystem}&q=o",
        f"/api/v1/alters/{world.alter}/groups",
        f"/api/v1/alters/{world.alter}/subsystems",
    )

    async def cost():
        counts = {}
        for url in urls:
            queries.clear()
            response = await client.get(url, params={"limit": 200}, headers=h)
            assert response.status_code == 200
            counts[url] = (len(queries), len(response.json()["items"]))
        return counts

    small = await cost()
    now = utcnow()
    async with db.transaction():
        for n in range(40):
            alter = await db.insert("alters.insert", system_id=world.system, name=f"Echo {n}", description=None,
                                    avatar_url=None, created_at=now, updated_at=now)
            await db.execute("groups.add_member", group_id=world.group, alter_id=alter, created_at=now)
            await db.execute("subsystems.set_member", subsystem_id=world.subsystem, alter_id=alter, role="echo", created_at=now)
            group = await db.insert("groups.insert", system_id=world.system, name=f"G{n}", description=None, color=None,
                                    created_at=now, updated_at=now)
            await db.execute("groups.add_member", group_id=group, alter_id=world.alter, created_at=now)
            subsystem = await db.insert("subsystems.insert", system_id=world.system, name=f"S{n}", description=None,
                                        color=None, created_at=now, updated_at=now)
            await db.execute("subsystems.set_member", subsystem_id=subsystem, alter_id=world.alter, role="r", created_at=now)
    large = await cost()
    for url in urls:
        assert large[url][1] == small[url][1] + 40, url
        assert large[url][0] == small[url][0] <= 2, url

    members = (await client.get(f"/api/v1/subsystems/{world.subsystem}/members", params={"limit": 30}, headers=h)).json()
    rest = (await client.get(
        f"/api/v1/subsystems/{world.subsystem}/members", params={"limit": 30, "cursor": members["next_cursor"]}, headers=h
    )).json()
    everyone = members["items"] + rest["items"]
    assert rest["next_cursor"] is None and len(everyone) == 41
    assert everyone[0] == {"alter": (await client.get(f"/api/v1/alters/{world.alter}", headers=h)).json(), "role": "host"}
    assert {item["role"] for item in everyone[1:]} == {"echo"}
    assert [item["alter"]["id"] for item in everyone] == sorted(item["alter"]["id"] for item in everyone)
    groups = (await client.get(f"/api/v1/alters/{world.alter}/groups", params={"limit": 25}, headers=h)).json()
    more = (await client.get(
        f"/api/v1/alters/{world.alter}/groups", params={"limit": 25, "cursor": groups["next_cursor"]}, headers=h
    )).json()
    assert len(ids(groups) + ids(more)) == 41 and ids(groups)[0] == world.group and more["next_cursor"] is None
    roles = (await client.get(f"/api/v1/alters/{world.alter}/subsystems", params={"limit": 200}, headers=h)).json()
    assert roles["items"][0]["id"] == world.subsystem and roles["items"][0]["role"] == "host"
    assert {item["role"] for item in roles["items"][1:]} == {"r"}
