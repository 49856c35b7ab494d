"""Who may do what to a system and everything under it, for every route, driven from one table.

The owner and admins read and write; another approved user gets 404 for the owner's resources,
exactly as for ones that do not exist; nobody signed in gets 401; a read-only token gets 403 on
writes; only system accounts create systems.
"""

import re

import pytest

import system_model_probe
from system_model_support import TABLES, audit_rows, build_world, snapshot

pytestmark = pytest.mark.anyio

MISSING = 999_999_999

# method, path, body, what the stranger gets, what an admin gets. Placeholders name the owner's
# system, alters, group and subsystem; `their_*` are the stranger's own, in the stranger's system.
ROUTES = [
    ("GET", "/api/v1/systems/{system}", None, 404, 200),
    ("PATCH", "/api/v1/systems/{system}", {"name": "Renamed"}, 404, 200),
    ("DELETE", "/api/v1/systems/{system}", None, 404, 204),
    ("GET", "/api/v1/systems/{system}/alters", None, 404, 200),
    ("GET", "/api/v1/systems/{system}/alters?q=ro&group_id={group}&subsystem_id={subsystem}", None, 404, 200),
    ("POST", "/api/v1/systems/{system}/alters", {"name": "Intruder"}, 404, 201),
    ("GET", "/api/v1/alters/{alter}", None, 404, 200),
    ("PATCH", "/api/v1/alters/{alter}", {"description": "changed"}, 404, 200),
    ("DELETE", "/api/v1/alters/{alter}", None, 404, 204),
    ("GET", "/api/v1/alters/{alter}/groups", None, 404, 200),
    ("GET", "/api/v1/alters/{alter}/subsystems", None, 404, 200),
    ("GET", "/api/v1/systems/{system}/groups", None, 404, 200),
    ("POST", "/api/v1/systems/{system}/groups", {"name": "Intruders"}, 404, 201),
    ("GET", "/api/v1/groups/{group}", None, 404, 200),
    ("PATCH", "/api/v1/groups/{group}", {"color": "#123456"}, 404, 200),
    ("DELETE", "/api/v1/groups/{group}", None, 404, 204),
    ("GET", "/api/v1/groups/{group}/members", None, 404, 200),
    ("PUT", "/api/v1/groups/{group}/members/{spare_alter}", None, 404, 204),
    ("DELETE", "/api/v1/groups/{group}/members/{alter}", None, 404, 204),
    ("PUT", "/api/v1/groups/{group}/members/{their_alter}", None, 404, 409),
    ("PUT", "/api/v1/groups/{their_group}/members/{alter}", None, 404, 409),
    ("DELETE", "/api/v1/groups/{their_group}/members/{alter}", None, 404, 404),
    ("GET", "/api/v1/systems/{system}/subsystems", None, 404, 200),
    ("POST", "/api/v1/systems/{system}/subsystems", {"name": "Intruders"}, 404, 201),
    ("GET", "/api/v1/subsystems/{subsystem}", None, 404, 200),
    ("PATCH", "/api/v1/subsystems/{subsystem}", {"name": "Renamed"}, 404, 200),
    ("DELETE", "/api/v1/subsystems/{subsystem}", None, 404, 204),
    ("GET", "/api/v1/subsystems/{subsystem}/members", None, 404, 200),
    ("PUT", "/api/v1/subsystems/{subsystem}/members/{spare_alter}", {"role": "guest"}, 404, 200),
    ("PUT", "/api/v1/subsystems/{subsystem}/members/{alter}", {"role": "demoted"}, 404, 200),
    ("DELETE", "/api/v1/subsystems/{subsystem}/members/{alter}", None, 404, 204),
    ("PUT", "/api/v1/subsystems/{subsystem}/members/{their_alter}", None, 404, 409),
    ("PUT", "/api/v1/subsystems/{their_subsystem}/members/{alter}", None, 404, 409),
    ("GET", "/api/v1/systems?user_id={owner_id}", None, 403, 200),
]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
MODEL_ROUTES = re.compile(r"^/api/v1/(systems|alters|groups|subsystems)\b")


@pytest.fixture
def didhub_extra_plugins():
    return [system_model_probe]


def fill(path, world, theirs, owner_id, missing=False):
    """The path with real ids; with `missing`, the owner's ids replaced by ids that do not exist."""
    own = {name: MISSING if missing else value for name, value in vars(world).items()}
    return path.format(
        **own, their_alter=theirs.spare_alter, their_group=theirs.group, their_subsystem=theirs.subsystem, owner_id=owner_id
    )


async def send(client, method, url, body, headers):
    return await client.request(method, url, json=body, headers=headers)


async def model_state(db):
    """The system model's rows and its audit rows (other plugins' audit rows may come and go)."""
    tables = await snapshot(db)
    state = {table: tables[table] for table in TABLES}
    state["audit"] = [row for prefix in ("system.", "alter.", "group.", "subsystem.") for row in await audit_rows(db, prefix)]
    return state


async def test_every_route_answers_each_kind_of_caller_as_the_table_says(client, didhub, didhub_app):
    def shape(path):
        return re.sub(r"{[^}]+}", "{}", path.split("?")[0].rstrip("/"))

    served = {
        (method, shape(route.path))
        for route in didhub_app.routes
        if MODEL_ROUTES.match(route.path)
        for method in route.methods
        if method not in ("HEAD", "OPTIONS")
    }
    # creating a system is not about somebody else's resources: test_only_system_accounts_create_systems
    listed = {(method, shape(path)) for method, path, *_ in ROUTES} | {("POST", "/api/v1/systems")}
    assert served == listed, "a route is missing from the table"

    owner = await didhub.create_user("owner", system=True)
    stranger = await didhub.create_user("stranger", system=True)
    boss = await didhub.admin()
    world = await build_world(client, owner)
    theirs = await build_world(client, stranger, "Stranger's system")
    read_only = {"Authorization": f"Bearer {await didhub.token(owner, ['read'])}"}
    before = await model_state(didhub.db)

    for method, path, body, stranger_status, _ in ROUTES:
        url = fill(path, world, theirs, owner.id)
        response = await send(client, method, url, body, stranger.headers)
        assert response.status_code == stranger_status, (method, url, response.text)
        if stranger_status == 404:
            # exactly the answer for something that does not exist
            missing = await send(client, method, fill(path, world, theirs, owner.id, missing=True), body, stranger.headers)
            assert missing.status_code == 404 and response.json() == missing.json(), (method, url)

        response = await send(client, method, url, body, {})
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated", (method, url)

        response = await send(client, method, url, body, read_only)
        if method in WRITES:
            assert response.status_code == 403 and response.json()["code"] == "forbidden", (method, url)
        else:
            assert response.status_code == 200, (method, url, response.text)
    assert await model_state(didhub.db) == before

    # the stranger's own lists and filters show nothing of the owner's
    own_systems = (await client.get("/api/v1/systems", headers=stranger.headers)).json()
    assert [item["id"] for item in own_systems["items"]] == [theirs.system]
    for params in ({"group_id": world.group}, {"subsystem_id": world.subsystem}):
        response = await client.get(f"/api/v1/systems/{theirs.system}/alters", params=params, headers=stranger.headers)
        assert response.status_code == 200 and response.json() == {"items": [], "next_cursor": None}

    for method, path, body, _, admin_status in ROUTES:
        # a fresh copy of the owner's system for each request, so that deletes do not affect the next row
        fresh = await build_world(client, owner)
        response = await send(client, method, fill(path, fresh, theirs, owner.id), body, boss.headers)
        assert response.status_code == admin_status, (method, path, response.text)
        if admin_status == 409:
            assert response.json()["code"] == "cross_system"


async def test_only_system_accounts_create_systems(client, didhub):
    plain = await didhub.create_user("plain")
    boss = await didhub.admin()
    for user in (plain, boss):
        response = await client.post("/api/v1/systems", json={"name": "Mine"}, headers=user.headers)
        assert response.status_code == 403 and response.json()["code"] == "not_a_system"
    assert await model_state(didhub.db) == {table: [] for table in (*TABLES, "audit")}
    assert (await client.post("/api/v1/systems", json={"name": "Mine"})).status_code == 401
    system_account = await didhub.create_user("sys", system=True)
    read_only = {"Authorization": f"Bearer {await didhub.token(system_account, ['read'])}"}
    response = await client.post("/api/v1/systems", json={"name": "Mine"}, headers=read_only)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert (await client.post("/api/v1/systems", json={"name": "Mine"}, headers=system_account.headers)).status_code == 201
    assert (await client.get("/api/v1/systems")).status_code == 401
