"""The audit log API (filters, order, pages, validation) and retention pruning, on every backend."""

import asyncio
from datetime import timedelta

import anyio
import pytest

from core.app import create_app
from core.db import utcnow
from plugins.audit.retention import TASK_NAME, prune

pytestmark = pytest.mark.anyio

URL = "/api/v1/audit-logs"
ROW_FIELDS = {"id", "user_id", "action", "entity_type", "entity_id", "details", "ip_address", "user_agent", "created_at"}


async def _seed(db, label, *, at, action="test.event", user_id=None, entity_type=None, entity_id=None, details=None):
    """Write an audit row the way core.audit does, with a chosen time; `label` finds it again."""
    async with db.transaction():
        await db.execute(
            "core.insert_audit_log",
            user_id=user_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            details={"label": label, **(details or {})},
            ip_address=None,
            user_agent=None,
            created_at=at,
        )


async def _all(client, admin, **filters):
    """Every row matching `filters`, read page by page (newest first)."""
    rows, cursor = [], None
    while True:
        params = {"limit": 200, **filters} | ({"cursor": cursor} if cursor else {})
        response = await client.get(URL, params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        rows += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return rows


def _labels(rows):
    return [row["details"].get("label") for row in rows if "label" in row["details"]]


@pytest.fixture
async def seeded(didhub):
    """Four rows of known times, actors and entities (oldest first), beside whatever the app wrote."""
    admin = await didhub.admin()
    ann = await didhub.create_user("ann")
    now = utcnow()
    await _seed(didhub.db, "made", at=now - timedelta(days=3), action="test.create", user_id=admin.id, entity_type="thing", entity_id=1)
    await _seed(didhub.db, "ann-edit", at=now - timedelta(days=2), action="test.update", user_id=ann.id, entity_type="thing", entity_id=1)
    await _seed(didhub.db, "admin-edit", at=now - timedelta(days=1), action="test.update", user_id=admin.id, entity_type="thing", entity_id=2)
    await _seed(didhub.db, "gone", at=now - timedelta(hours=1), action="test.delete", entity_type="widget", entity_id=1)
    return {"admin": admin, "ann": ann, "now": now}


async def test_rows_have_the_documented_shape_newest_first(didhub, client, seeded):
    admin = seeded["admin"]
    await _seed(didhub.db, "rich", at=utcnow(), details={"name": "Ünïcode ✓", "count": 3, "nested": {"ids": [1, 2]}})
    changed = await client.put("/api/v1/settings/instance.name", json={"value": "Harbour"}, headers=admin.headers)
    assert changed.status_code == 200

    rows = await _all(client, admin)

    assert all(set(row) == ROW_FIELDS for row in rows)
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == len(ids)
    assert all(row["created_at"].endswith("Z") for row in rows)
    newest = rows[0]
    assert newest["action"] == "setting.update" and newest["user_id"] == admin.id
    assert newest["details"] == {"key": "instance.name", "value": "Harbour"}
    assert newest["ip_address"] == "127.0.0.1" and newest["user_agent"].startswith("python-httpx/")
    rich = next(row for row in rows if row["details"].get("label") == "rich")
    assert rich["details"] == {"label": "rich", "name": "Ünïcode ✓", "count": 3, "nested": {"ids": [1, 2]}}
    assert rich["user_id"] is None and rich["entity_type"] is None and rich["entity_id"] is None
    assert _labels(rows) == ["rich", "gone", "admin-edit", "ann-edit", "made"]


async def test_each_filter_narrows_the_rows(client, seeded):
    admin, ann, now = seeded["admin"], seeded["ann"], seeded["now"]
    cases = [
        ({"action": "test.update"}, ["admin-edit", "ann-edit"], lambda row: row["action"] == "test.update"),
        ({"user_id": ann.id}, ["ann-edit"], lambda row: row["user_id"] == ann.id),
        ({"user_id": admin.id, "action": "test.create"}, ["made"], lambda row: row["user_id"] == admin.id),
        ({"entity_type": "thing"}, ["admin-edit", "ann-edit", "made"], lambda row: row["entity_type"] == "thing"),
        ({"entity_type": "thing", "entity_id": 1}, ["ann-edit", "made"], lambda row: row["entity_id"] == 1),
        ({"entity_id": 1}, ["gone", "ann-edit", "made"], lambda row: row["entity_id"] == 1),
        ({"action": "TEST.UPDATE"}, [], lambda row: False),
        ({"action": "no.such"}, [], lambda row: False),
    ]
    for filters, labels, matches in cases:
        rows = await _all(client, admin, **filters)
        assert all(matches(row) for row in rows), filters
        assert _labels(rows) == labels, filters

    window = {"since": (now - timedelta(days=2, hours=1)).isoformat(), "until": (now - timedelta(hours=2)).isoformat()}
    assert _labels(await _all(client, admin, **window)) == ["admin-edit", "ann-edit"]
    assert len(await _all(client, admin, **window)) == 2
    everything = await _all(client, admin)
    recent = await _all(client, admin, since=(now - timedelta(hours=2)).isoformat())
    assert _labels(recent) == ["gone"] and all(row in everything for row in recent)
    old = await _all(client, admin, until=(now - timedelta(days=1, hours=1)).isoformat())
    assert _labels(old) == ["ann-edit", "made"] and len(old) == 2


async def test_since_is_inclusive_and_until_exclusive(client, seeded):
    admin = seeded["admin"]
    [row] = await _all(client, admin, action="test.update", user_id=seeded["ann"].id)
    at = row["created_at"]

    assert _labels(await _all(client, admin, action="test.update", since=at)) == ["admin-edit", "ann-edit"]
    assert _labels(await _all(client, admin, action="test.update", until=at)) == []
    assert _labels(await _all(client, admin, action="test.update", since=at, until=at)) == []


async def test_timestamps_with_an_offset_or_none_are_read_as_the_same_instant(client, seeded):
    admin, now = seeded["admin"], seeded["now"]
    cutoff = (now - timedelta(days=1, hours=1)).replace(microsecond=0)
    utc_text = cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")
    naive_text = cutoff.strftime("%Y-%m-%dT%H:%M:%S")
    plus_two = (cutoff + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00")
    expected = _labels(await _all(client, admin, until=utc_text))
    assert expected == ["ann-edit", "made"]
    assert _labels(await _all(client, admin, until=naive_text)) == expected
    assert _labels(await _all(client, admin, until=plus_two)) == expected


INVALID_PARAMETERS = [
    ({"since": "yesterday"}, "since"),
    ({"until": "2026-13-01T00:00:00Z"}, "until"),
    ({"since": "2026-01-01T25:00:00Z"}, "since"),
    ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"user_id": "ann"}, "user_id"),
    ({"entity_id": "0"}, "entity_id"),
    ({"limit": "201"}, "limit"),
    ({"action": "x" * 101}, "action"),
    ({"entity_type": "a\x00b"}, "entity_type"),
]


async def test_invalid_parameters_are_400(didhub, client):
    admin = await didhub.admin()
    for params, field in INVALID_PARAMETERS:
        response = await client.get(URL, params=params, headers=admin.headers)
        assert response.status_code == 400, (params, response.text)
        body = response.json()
        assert body["code"] == "validation_failed"
        assert [error["field"] for error in body["errors"]] == [field], params


async def test_pages_cover_every_row_once(didhub, client, seeded):
    admin = seeded["admin"]
    for index in range(7):
        await _seed(didhub.db, f"bulk-{index}", at=utcnow(), action="test.bulk")
    everything = [row["id"] for row in await _all(client, admin)]

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        response = await client.get(URL, params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert 1 <= len(page["items"]) <= 3
        seen += [row["id"] for row in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == everything and len(set(seen)) == len(seen)
    assert pages == -(-len(everything) // 3)
    bulk = [row["details"]["label"] for row in await _all(client, admin, action="test.bulk", limit=2)]
    assert bulk == [f"bulk-{index}" for index in reversed(range(7))]


async def test_pruning_deletes_rows_older_than_the_retention(didhub, client):
    admin = await didhub.admin()
    services = didhub.app.state.services
    now = utcnow()
    for label, days in (("40 days", 40), ("31 days", 31), ("29 days", 29), ("today", 0)):
        await _seed(didhub.db, label, at=now - timedelta(days=days))
    assert (await client.put("/api/v1/settings/audit.retention_days", json={"value": 30}, headers=admin.headers)).status_code == 200

    await prune(services)

    remaining = await _all(client, admin)
    assert _labels(remaining) == ["today", "29 days"]
    # the app's own recent rows (the login, the setting change) are kept
    assert any(row["action"] == "setting.update" for row in remaining)


async def test_retention_zero_keeps_everything(didhub, client):
    admin = await didhub.admin()
    await _seed(didhub.db, "ancient", at=utcnow() - timedelta(days=4000))
    before = await _all(client, admin)

    await prune(didhub.app.state.services)

    assert await _all(client, admin) == before
    assert "ancient" in _labels(before)


async def test_the_retention_setting_is_a_whole_number_of_days(didhub, client):
    admin = await didhub.admin()
    for value in (-1, "30", 1.5, None):
        response = await client.put("/api/v1/settings/audit.retention_days", json={"value": value}, headers=admin.headers)
        assert response.status_code == 400, (value, response.text)
        assert response.json()["code"] == "validation_failed"
    setting = (await client.get("/api/v1/settings/audit.retention_days", headers=admin.headers)).json()
    assert setting["value"] == 0 and setting["default"] == 0


def _pruning_tasks():
    return [task for task in asyncio.all_tasks() if task.get_name() == TASK_NAME]


async def test_startup_prunes_and_shutdown_stops_the_daily_task(didhub, client, didhub_config):
    admin = await didhub.admin()
    assert (await client.put("/api/v1/settings/audit.retention_days", json={"value": 1}, headers=admin.headers)).status_code == 200
    await _seed(didhub.db, "stale", at=utcnow() - timedelta(days=2))
    running = len(_pruning_tasks())

    # a second process of the same instance starts on the same database
    second = create_app(didhub_config)
    async with second.lifespan():
        assert len(_pruning_tasks()) == running + 1
        with anyio.fail_after(10):
            while "stale" in _labels(await _all(client, admin)):
                await anyio.sleep(0.02)

    assert len(_pruning_tasks()) == running
