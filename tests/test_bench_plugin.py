"""The bench-only plugin's SQL on every backend, so `make bench` does not rot unnoticed (it
writes the accounts plugin's columns itself, so this also notices when those change).
No timings here: `make bench` measures, this only checks that its seeding and reference handler work."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "bench" / "plugin"))
import didhub_bench  # noqa: E402

pytestmark = pytest.mark.anyio


@pytest.fixture
def didhub_extra_plugins():
    return [didhub_bench]


async def test_seeding_in_batches_and_the_reference_handler(client, didhub):
    owner = await didhub.create_user("ann", system=True)
    system = (await client.post("/api/v1/systems", json={"name": "bench"}, headers=owner.headers)).json()

    # three batches, the last one short: every number once, in the system, readable through the API
    # (MySQL may leave gaps in the ids between two bulk INSERTs)
    seeded = await didhub_bench.insert_alters(didhub.db, system["id"], 2_500, batch=1_000)
    assert seeded["count"] == 2_500 and seeded["last_id"] - seeded["first_id"] >= 2_499
    page = (await client.get(f"/api/v1/systems/{system['id']}/alters?limit=200", headers=owner.headers)).json()
    assert page["items"][0]["name"] == "Bench alter 1" and page["items"][0]["description"] == didhub_bench.SEEDED_DESCRIPTION
    last = (await client.get(f"/api/v1/alters/{seeded['last_id']}", headers=owner.headers)).json()
    assert last["system_id"] == system["id"] and last["created_at"].endswith("Z")
    names = {f"Bench alter {number}" for number in range(1, 2_501)}
    rows = await didhub.db.fetch_all("alters.list_in_system", system_id=system["id"], after=0, pattern="%", limit=3_000)
    assert {row["name"] for row in rows} == names

    reference = await client.get(f"/bench/reference/alters/{seeded['first_id']}")
    assert reference.status_code == 200
    assert reference.json()["name"] == "Bench alter 1" and reference.json()["system_id"] == system["id"]
    assert (await client.get(f"/bench/reference/alters/{seeded['last_id'] + 1}")).status_code == 404


async def test_seeded_accounts_sign_in(client, didhub):
    await didhub_bench.insert_accounts(didhub.db, "bench-login-", 3, "bench password")
    for number in range(3):
        token = await didhub.login(f"BENCH-LOGIN-{number}", "bench password")
        me = (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).json()
        assert me["username"] == f"bench-login-{number}" and me["is_approved"] and not me["is_admin"] and not me["is_system"]
