"""Helpers shared by the system model's tests: a small system built through the API, and
snapshots of the tables read through the test-only `system_model_probe` plugin."""

from dataclasses import dataclass
from typing import Any

import httpx

from core.db import DB

TABLES = ("systems", "alters", "groups", "subsystems", "alter_groups", "subsystem_members")


async def created(client: httpx.AsyncClient, user: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


@dataclass
class World:
    """One system with two alters, a group and a subsystem; `alter` is in both, `spare_alter` in neither."""

    system: int
    alter: int
    spare_alter: int
    group: int
    subsystem: int


async def build_world(client: httpx.AsyncClient, owner: Any, name: str = "Lighthouse") -> World:
    system = (await created(client, owner, "/api/v1/systems", {"name": name}))["id"]
    alter = (await created(client, owner, f"/api/v1/systems/{system}/alters", {"name": "Robin"}))["id"]
    spare = (await created(client, owner, f"/api/v1/systems/{system}/alters", {"name": "Sky"}))["id"]
    group = (await created(client, owner, f"/api/v1/systems/{system}/groups", {"name": "Littles"}))["id"]
    subsystem = (await created(client, owner, f"/api/v1/systems/{system}/subsystems", {"name": "Garden"}))["id"]
    response = await client.put(f"/api/v1/groups/{group}/members/{alter}", headers=owner.headers)
    assert response.status_code == 204, response.text
    response = await client.put(f"/api/v1/subsystems/{subsystem}/members/{alter}", json={"role": "host"}, headers=owner.headers)
    assert response.status_code == 200, response.text
    return World(system, alter, spare, group, subsystem)


async def snapshot(db: DB) -> dict[str, list[dict[str, Any]]]:
    """Every row of the system model's tables, and the audit log."""
    tables = {table: await db.fetch_all(f"model_probe.{table}") for table in TABLES}
    tables["audit_logs"] = await db.fetch_all("model_probe.audit_rows")
    return tables


async def audit_rows(db: DB, prefix: str = "") -> list[dict[str, Any]]:
    return [row for row in await db.fetch_all("model_probe.audit_rows") if row["action"].startswith(prefix)]
