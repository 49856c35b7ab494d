"""Bad input is a problem JSON 400 naming the field, never a 500."""

import pytest

pytestmark = pytest.mark.anyio


async def test_an_unknown_field_is_named(client):
    response = await client.post("/api/v1/auth/register", json={"username": "ann", "password": "long enough", "bogus": 1})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "validation_failed"
    assert [error["field"] for error in response.json()["errors"]] == ["bogus"]


async def test_a_wrong_type_and_a_too_long_value_are_named(client):
    wrong_type = await client.post("/api/v1/auth/register", json={"username": 5, "password": "long enough"})
    too_long = await client.post("/api/v1/auth/register", json={"username": "a" * 256, "password": "long enough"})
    for response in (wrong_type, too_long):
        assert response.status_code == 400
        assert [error["field"] for error in response.json()["errors"]] == ["username"]


async def test_a_body_that_is_not_json_is_a_validation_error_of_the_body(client):
    response = await client.post("/api/v1/auth/register", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["errors"][0]["field"] == "body"


async def test_an_out_of_range_id_is_a_400_not_a_driver_error(client, didhub):
    admin = await didhub.admin()
    response = await client.get(f"/api/v1/users/{2**64}", headers=admin.headers)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
