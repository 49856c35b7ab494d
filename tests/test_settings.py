"""The settings API: declared settings only, typed values, back to defaults, one audit row each."""

import pytest

from core import __version__

pytestmark = pytest.mark.anyio

URL = "/api/v1/settings"
SETTING_FIELDS = {"key", "value", "default", "description", "updated_at"}


async def _setting_audit_rows(client, admin):
    rows = []
    for action in ("setting.update", "setting.delete"):
        response = await client.get("/api/v1/audit-logs", params={"action": action, "limit": 200}, headers=admin.headers)
        assert response.status_code == 200, response.text
        rows += response.json()["items"]
    return sorted(rows, key=lambda row: row["id"])


async def test_the_list_holds_every_declared_setting_with_its_default(didhub, client):
    admin = await didhub.admin()
    response = await client.get(URL, headers=admin.headers)

    assert response.status_code == 200, response.text
    settings = {item["key"]: item for item in response.json()}
    assert [item["key"] for item in response.json()] == sorted(settings)
    assert all(set(item) == SETTING_FIELDS for item in settings.values())
    assert all(item["description"] for item in settings.values())
    assert {"instance.name", "registration.mode", "audit.retention_days"} <= set(settings)
    assert settings["instance.name"] | {"description": ""} == {
        "key": "instance.name", "value": "DIDHub", "default": "DIDHub", "description": "", "updated_at": None,
    }
    assert settings["audit.retention_days"]["value"] == settings["audit.retention_days"]["default"] == 0
    assert settings["registration.mode"]["value"] == "approval"


async def test_reading_one_setting(didhub, client):
    admin = await didhub.admin()
    response = await client.get(f"{URL}/audit.retention_days", headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == SETTING_FIELDS
    assert (body["key"], body["value"], body["default"], body["updated_at"]) == ("audit.retention_days", 0, 0, None)


async def test_setting_a_value_stores_it_and_writes_one_audit_row(didhub, client):
    admin = await didhub.admin()

    response = await client.put(f"{URL}/instance.name", json={"value": "The Harbour"}, headers=admin.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["key"], body["value"], body["default"]) == ("instance.name", "The Harbour", "DIDHub")
    assert body["updated_at"].endswith("Z")
    assert (await client.get(f"{URL}/instance.name", headers=admin.headers)).json() == body
    [audit] = await _setting_audit_rows(client, admin)
    assert (audit["action"], audit["user_id"], audit["entity_type"]) == ("setting.update", admin.id, "setting")
    assert audit["details"] == {"key": "instance.name", "value": "The Harbour"}

    again = await client.put(f"{URL}/registration.mode", json={"value": "open"}, headers=admin.headers)
    assert again.status_code == 200 and again.json()["value"] == "open"
    assert len(await _setting_audit_rows(client, admin)) == 2


BAD_VALUES = [
    ("audit.retention_days", "thirty"),
    ("audit.retention_days", -1),
    ("audit.retention_days", 1.5),
    ("audit.retention_days", None),
    ("registration.mode", "sometimes"),
    ("instance.name", ""),
    ("instance.name", 42),
    ("instance.name", "x" * 101),
]


async def test_a_value_of_the_wrong_type_is_refused_and_changes_nothing(didhub, client):
    admin = await didhub.admin()
    for key, value in BAD_VALUES:
        before = (await client.get(f"{URL}/{key}", headers=admin.headers)).json()

        response = await client.put(f"{URL}/{key}", json={"value": value}, headers=admin.headers)

        assert response.status_code == 400, (key, value, response.text)
        body = response.json()
        assert body["code"] == "validation_failed"
        assert [error["field"] for error in body["errors"]] == ["value"]
        assert (await client.get(f"{URL}/{key}", headers=admin.headers)).json() == before
    assert await _setting_audit_rows(client, admin) == []


async def test_a_malformed_body_is_refused(didhub, client):
    admin = await didhub.admin()
    for body in ({}, {"value": 1, "extra": True}, [1]):
        response = await client.put(f"{URL}/audit.retention_days", json=body, headers=admin.headers)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["code"] == "validation_failed"
    assert await _setting_audit_rows(client, admin) == []


async def test_an_undeclared_key_is_404_for_every_method(didhub, client):
    admin = await didhub.admin()
    responses = [
        await client.get(f"{URL}/no.such.setting", headers=admin.headers),
        await client.put(f"{URL}/no.such.setting", json={"value": 1}, headers=admin.headers),
        await client.delete(f"{URL}/no.such.setting", headers=admin.headers),
    ]
    assert [(response.status_code, response.json()["code"]) for response in responses] == [(404, "not_found")] * 3
    assert await _setting_audit_rows(client, admin) == []


async def test_deleting_goes_back_to_the_default_and_writes_one_audit_row(didhub, client):
    admin = await didhub.admin()
    assert (await client.put(f"{URL}/audit.retention_days", json={"value": 90}, headers=admin.headers)).status_code == 200

    response = await client.delete(f"{URL}/audit.retention_days", headers=admin.headers)

    assert response.status_code == 204
    assert response.content == b""
    body = (await client.get(f"{URL}/audit.retention_days", headers=admin.headers)).json()
    assert (body["value"], body["updated_at"]) == (0, None)
    update, deletion = await _setting_audit_rows(client, admin)
    assert (update["action"], deletion["action"]) == ("setting.update", "setting.delete")
    assert deletion["details"] == {"key": "audit.retention_days"} and deletion["user_id"] == admin.id

    # deleting a setting that holds its default already is still one change, recorded once
    assert (await client.delete(f"{URL}/audit.retention_days", headers=admin.headers)).status_code == 204
    assert len(await _setting_audit_rows(client, admin)) == 3


async def test_the_instance_endpoint_is_public_and_follows_the_settings(didhub, client):
    response = await client.get("/api/v1/instance")
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "DIDHub", "version": __version__, "registration_mode": "approval"}

    admin = await didhub.admin()
    await client.put(f"{URL}/instance.name", json={"value": "Lighthouse"}, headers=admin.headers)
    await client.put(f"{URL}/registration.mode", json={"value": "closed"}, headers=admin.headers)

    assert (await client.get("/api/v1/instance")).json() == {
        "name": "Lighthouse", "version": __version__, "registration_mode": "closed",
    }
