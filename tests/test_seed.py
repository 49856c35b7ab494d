"""`didhub seed -c config.example.json`: the demo instance through the public API, once; a second
run creates nothing; a bad value is named by file and place and changes nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from core.db import parse_database_url
from core.migrations import Migrator, migration_sets
from operations_support import EXAMPLE, didhub, instance_env, table_contents

EXAMPLE_DATA = json.loads(EXAMPLE.read_text())
SEED = EXAMPLE_DATA["seed"]


@pytest.fixture
def env(didhub_db_url: str, tmp_path: Path) -> dict[str, str | None]:
    return instance_env(didhub_db_url, tmp_path / "uploads")


@pytest.fixture
def seeded(env: dict[str, str | None]) -> dict[str, list[dict[str, Any]]]:
    """The example seeded once; what the tables hold then."""
    result = didhub(env, "seed", "-c", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "created users: 2, systems: 1, alters: 7, groups: 3, group memberships: 6, subsystems: 1, subsystem memberships: 3\n"
    )
    return table_contents(env)


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data))
    return path


def test_the_example_is_created_as_written_and_a_second_run_creates_nothing(env, seeded):
    users = {row["username"]: row for row in seeded["users"]}
    assert set(users) == {"admin", "lighthouse", "sam"}
    assert users["admin"]["is_admin"] and not users["lighthouse"]["is_admin"]
    assert users["lighthouse"]["is_system"] and not users["sam"]["is_system"]
    assert all(user["is_approved"] for user in users.values())

    [system] = seeded["systems"]
    written = SEED["users"][0]["systems"][0]
    assert (system["user_id"], system["name"], system["description"]) == (users["lighthouse"]["id"], written["name"], written["description"])
    alters = {row["id"]: row for row in seeded["alters"]}
    assert [(row["name"], row["description"]) for row in alters.values()] == [(a["name"], a["description"]) for a in written["alters"]]
    assert {row["system_id"] for row in alters.values()} == {system["id"]}

    groups = {row["id"]: row["name"] for row in seeded["groups"]}
    colors = {row["name"]: row["color"] for row in seeded["groups"]}
    assert colors == {group["name"]: group["color"] for group in written["groups"]}
    members = {(groups[row["group_id"]], alters[row["alter_id"]]["name"]) for row in seeded["alter_groups"]}
    assert members == {(group["name"], name) for group in written["groups"] for name in group["members"]}

    [garden] = seeded["subsystems"]
    roles = {alters[row["alter_id"]]["name"]: row["role"] for row in seeded["subsystem_members"] if row["subsystem_id"] == garden["id"]}
    assert roles == {"Sage": "gatekeeper", "Fern": "gardener", "Moss": "visitor"}
    # the seed's sign-ins ended with it
    assert seeded["api_tokens"] == []

    again = didhub(env, "seed", "-c", EXAMPLE)
    assert again.exit_code == 0, again.output
    assert again.stdout == "nothing to create: everything in the seed exists\n"
    after = table_contents(env)
    for table, rows in after.items():
        if table != "audit_logs":
            assert rows == seeded[table], table
    # the audit log keeps the truth: the admin signed in and out, and nothing else happened
    admin_id = next(row["id"] for row in seeded["users"] if row["username"] == "admin")
    assert after["audit_logs"][: len(seeded["audit_logs"])] == seeded["audit_logs"]
    new = after["audit_logs"][len(seeded["audit_logs"]) :]
    assert [(row["user_id"], row["action"]) for row in new] == [(admin_id, "auth.login"), (admin_id, "auth.logout")]


def _with(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE_DATA)
    change(data["seed"])
    return data


BAD_FILES = {
    "a name too long": (
        lambda seed: seed["users"][0]["systems"][0]["alters"][2].update(name="W" * 256),
        "seed.users[0].systems[0].alters[2].name: Expected `str` of length <= 255",
    ),
    "a misspelt field": (
        lambda seed: seed["users"][0]["systems"][0]["groups"][1].update(colour="#FFFFFF"),
        "seed.users[0].systems[0].groups[1]: Object contains unknown field `colour`",
    ),
    "a colour that is not #RRGGBB": (
        lambda seed: seed["users"][0]["systems"][0]["subsystems"][0].update(color="green"),
        "seed.users[0].systems[0].subsystems[0].color: Expected `str` matching regex",
    ),
    "a short password": (
        lambda seed: seed["users"][1].update(password="short"),
        "seed.users[1].password: Expected `str` of length >= 8",
    ),
    "a member who is not an alter of the system": (
        lambda seed: seed["users"][0]["systems"][0]["groups"][0]["members"].append("Nobody"),
        "seed.users[0].systems[0].groups[0].members[2]: no alter named 'Nobody' in this system",
    ),
    "the same alter twice": (
        lambda seed: seed["users"][0]["systems"][0]["alters"].append({"name": "Robin"}),
        "seed.users[0].systems[0].alters[7]: alter 'Robin' appears twice",
    ),
    "systems for an account that is not a system": (
        lambda seed: seed["users"][1].update(systems=[{"name": "Elsewhere"}]),
        'seed.users[1].systems: only a system account ("is_system": true) can have systems',
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_value_names_the_file_and_the_place_and_changes_nothing(case, env, tmp_path):
    change, message = BAD_FILES[case]
    path = _write(tmp_path, _with(change))
    refused = didhub(env, "seed", "-c", path)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"didhub: {path}: {message}"), refused.stderr
    assert refused.stderr.count("\n") == 1
    # refused before anything was touched: not even a migration ran
    url = parse_database_url(env["DIDHUB_DB"])
    assert not any(applied for _, _, applied in Migrator(url, migration_sets(url.dialect, None)).status())


def test_refusals_of_the_api_are_named_by_place_too(env, seeded, tmp_path):
    # sam exists as an ordinary account: the file may call it a system, but the API decides
    def sam_has_a_system(seed: dict[str, Any]) -> None:
        seed["users"][1].update(is_system=True, systems=[{"name": "Sam's system"}])

    path = _write(tmp_path, _with(sam_has_a_system))
    refused = didhub(env, "seed", "-c", path)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"didhub: {path}: seed.users[1].systems[0]: Only system accounts may create systems"), refused.stderr
    assert "403 not_a_system" in refused.stderr
    assert table_contents(env)["systems"] == seeded["systems"]

    path = _write(tmp_path, _with(lambda seed: seed["admin"].update(password="not the admin's password")))
    refused = didhub(env, "seed", "-c", path)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"didhub: {path}: seed.admin: cannot sign in as 'admin'"), refused.stderr


def test_a_file_without_a_seed_is_named(env, tmp_path):
    path = _write(tmp_path, {"db": "sqlite:///elsewhere.sqlite"})
    refused = didhub(env, "seed", "-c", path)
    assert refused.exit_code == 2
    assert refused.stderr == f'didhub: {path}: seed: missing: the file holds no "seed" object\n'
