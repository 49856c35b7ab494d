"""Who may call what: every route of the accounts, users, system-requests, settings and audit APIs,
called by each kind of caller, answers exactly what api.md implies.

The table below lists each route once with its access class from api.md; `expected()` turns the
class into the answer for each caller. To cover a new route, add a `Case`; the test also fails
when one of these APIs gains a route the table does not list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import pytest

from core.testing import ADMIN_PASSWORD, DEFAULT_PASSWORD

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "another long password"


class Access(Enum):
    PUBLIC = "public"
    ACCOUNT = "signed in, approved or not"
    USER = "approved user"
    OWNER = "the owner or an admin; others 404"
    OWNER_ONLY = "the owner only (a /me resource); everyone else 404"
    ADMIN = "admin"


@dataclass(frozen=True)
class Caller:
    name: str
    signed_in: bool = True
    approved: bool = True
    admin: bool = False
    read_only: bool = False
    # owns the resources the table's paths address (ann's)
    owner: bool = False

    @property
    def may_write(self) -> bool:
        return self.signed_in and self.approved and not self.read_only


ANONYMOUS = Caller("anonymous", signed_in=False)
UNAPPROVED = Caller("unapproved", approved=False)  # signed in, then un-approved by the admin
READER = Caller("reader", read_only=True, owner=True)  # ann's read-only token
OTHER = Caller("other")  # bob, approved, owns none of the resources addressed
ADMIN_READER = Caller("admin-reader", admin=True, read_only=True)  # a second admin's read-only token
ADMIN = Caller("admin", admin=True)
CALLERS = (ANONYMOUS, UNAPPROVED, READER, OTHER, ADMIN_READER, ADMIN)


@dataclass
class World:
    """The tokens and resources the table's paths and bodies refer to."""

    headers: dict[Caller, dict[str, str]]
    # a second token of each caller who could spend one (sign out with it)
    spare_headers: dict[Caller, dict[str, str]]
    ids: dict[str, int]


Body = Callable[[Caller], Any]


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # `{name}` is filled from World.ids
    access: Access
    ok: int
    body: Body | None = None
    # the call ends the token it presents: present the caller's spare one
    spends_token: bool = False
    # `{own_token}` in the path is a token the caller makes just before the call
    own_token: bool = False


def _same(value: Any) -> Body:
    return lambda caller: value


def _password_change(caller: Caller) -> dict[str, str]:
    current = ADMIN_PASSWORD if caller is ADMIN else DEFAULT_PASSWORD
    return {"current_password": current, "new_password": NEW_PASSWORD}


CASES = [
    # Accounts
    Case("POST", "/api/v1/auth/register", Access.PUBLIC, 201,
         lambda caller: {"username": f"registered-{caller.name}", "password": DEFAULT_PASSWORD}),
    Case("POST", "/api/v1/auth/login", Access.PUBLIC, 200, _same({"username": "dave", "password": DEFAULT_PASSWORD})),
    Case("POST", "/api/v1/auth/logout", Access.USER, 204, spends_token=True),
    Case("GET", "/api/v1/me", Access.USER, 200),
    Case("PATCH", "/api/v1/me", Access.USER, 200, lambda caller: {"username": f"renamed-{caller.name}"}),
    Case("POST", "/api/v1/me/password", Access.USER, 204, _password_change),
    Case("GET", "/api/v1/me/tokens", Access.USER, 200),
    Case("POST", "/api/v1/me/tokens", Access.USER, 201, _same({"name": "matrix", "scopes": ["read"]})),
    Case("DELETE", "/api/v1/me/tokens/{own_token}", Access.USER, 204, own_token=True),
    Case("DELETE", "/api/v1/me/tokens/{ann_token}", Access.OWNER_ONLY, 204),
    # Users (admin)
    Case("GET", "/api/v1/users", Access.ADMIN, 200),
    Case("POST", "/api/v1/users", Access.ADMIN, 201,
         lambda caller: {"username": f"made-by-{caller.name}", "password": DEFAULT_PASSWORD}),
    Case("GET", "/api/v1/users/{ann}", Access.ADMIN, 200),
    Case("PATCH", "/api/v1/users/{ann}", Access.ADMIN, 200, _same({"is_system": False})),
    Case("DELETE", "/api/v1/users/{victim}", Access.ADMIN, 204),
    # System requests
    Case("POST", "/api/v1/system-requests", Access.ACCOUNT, 201, lambda caller: {"note": f"from {caller.name}"}),
    Case("GET", "/api/v1/system-requests", Access.USER, 200),
    Case("GET", "/api/v1/system-requests/{ann_request}", Access.OWNER, 200),
    Case("POST", "/api/v1/system-requests/{ann_request}/approve", Access.ADMIN, 200, _same({"admin_notes": "ok"})),
    Case("POST", "/api/v1/system-requests/{erin_request}/reject", Access.ADMIN, 200, _same({})),
    # Settings
    Case("GET", "/api/v1/settings", Access.ADMIN, 200),
    Case("GET", "/api/v1/settings/instance.name", Access.ADMIN, 200),
    Case("PUT", "/api/v1/settings/instance.name", Access.ADMIN, 200, lambda caller: {"value": f"Hub of {caller.name}"}),
    Case("DELETE", "/api/v1/settings/instance.name", Access.ADMIN, 204),
    Case("GET", "/api/v1/instance", Access.PUBLIC, 200),
    # Audit
    Case("GET", "/api/v1/audit-logs", Access.ADMIN, 200),
]

# Where the implementation answers differently from api.md. Each entry is checked, so it must
# go once the two agree.
APIS = re.compile(r"^/api/v1/(auth|me|users|system-requests|settings|instance|audit-logs)(/|$)")


def expected(case: Case, caller: Caller) -> tuple[int, str | None]:
    """The status (and problem `code`) api.md implies for `caller` on `case`."""
    ok = (case.ok, None)
    if case.access is Access.PUBLIC:
        return ok
    if not caller.signed_in:
        return 401, "unauthenticated"
    if caller.read_only and case.method not in ("GET", "HEAD"):
        return 403, "forbidden"
    if not caller.approved:
        return ok if case.access is Access.ACCOUNT else (403, "not_approved")
    if case.access is Access.ADMIN and not caller.admin:
        return 403, "forbidden"
    if case.access is Access.OWNER and not (caller.owner or caller.admin):
        return 404, "not_found"
    if case.access is Access.OWNER_ONLY and not caller.owner:
        return 404, "not_found"
    return ok


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _spare_token(client, headers: dict[str, str]) -> tuple[int, str]:
    response = await client.post("/api/v1/me/tokens", json={"name": "spare"}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["token"]


async def _build_world(didhub, client) -> World:
    admin = await didhub.admin()
    second_admin = await didhub.create_user("second-admin", admin=True)
    ann = await didhub.create_user("ann")
    bob = await didhub.create_user("bob")
    carol = await didhub.create_user("carol")
    erin = await didhub.create_user("erin")
    await didhub.create_user("dave")
    victim = await didhub.create_user("victim")

    ann_token_id, _ = await _spare_token(client, ann.headers)
    spares = {caller: (await _spare_token(client, user.headers))[1] for caller, user in ((UNAPPROVED, carol), (OTHER, bob), (ADMIN, admin))}
    requests = {}
    for name, user in (("ann_request", ann), ("erin_request", erin)):
        response = await client.post("/api/v1/system-requests", json={}, headers=user.headers)
        assert response.status_code == 201, response.text
        requests[name] = response.json()["id"]
    # carol signed in while approved; her tokens stay, her approval goes
    unapprove = await client.patch(f"/api/v1/users/{carol.id}", json={"is_approved": False}, headers=admin.headers)
    assert unapprove.status_code == 200, unapprove.text

    return World(
        headers={
            ANONYMOUS: {},
            UNAPPROVED: carol.headers,
            READER: _bearer(await didhub.token(ann, ["read"])),
            OTHER: bob.headers,
            ADMIN_READER: _bearer(await didhub.token(second_admin, ["read"])),
            ADMIN: admin.headers,
        },
        spare_headers={caller: _bearer(token) for caller, token in spares.items()},
        ids={"ann": ann.id, "victim": victim.id, "ann_token": ann_token_id, **requests},
    )


async def _path(client, case: Case, world: World, caller: Caller) -> str:
    values = {name: world.ids[name] for name in re.findall(r"{(\w+)}", case.path) if name != "own_token"}
    if case.own_token:
        # made now: an earlier call (a password change) revokes a caller's other tokens.
        # Callers who cannot make one are refused whatever the id: give them someone else's.
        own = caller.may_write
        values["own_token"] = (await _spare_token(client, world.headers[caller]))[0] if own else world.ids["ann_token"]
    return case.path.format(**values)


async def test_every_route_answers_each_caller_as_api_md_says(didhub, client):
    world = await _build_world(didhub, client)
    mismatches = []

    for case in CASES:
        for caller in CALLERS:
            headers = world.spare_headers.get(caller, world.headers[caller]) if case.spends_token else world.headers[caller]
            body = {} if case.body is None else {"json": case.body(caller)}
            response = await client.request(case.method, await _path(client, case, world, caller), headers=headers, **body)

            status, code = expected(case, caller)
            got_code = response.json().get("code") if response.status_code >= 400 else None
            if response.status_code != status or (code is not None and got_code != code):
                mismatches.append(
                    f"{case.method} {case.path} as {caller.name}: expected {status} {code or ''}, "
                    f"got {response.status_code} {got_code or ''}"
                )
            elif response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json")

    assert not mismatches, "\n".join(mismatches)


async def test_the_table_lists_every_route_of_these_apis(didhub_app):
    def shape(path: str) -> str:
        return re.sub(r"{[^}]+}", "{}", path.rstrip("/") or "/")

    served = {
        (method, shape(route.path))
        for route in didhub_app.routes
        if APIS.match(route.path)
        for method in route.methods
        if method not in ("HEAD", "OPTIONS")
    }
    listed = {(case.method, shape(case.path.replace("instance.name", "{key}"))) for case in CASES}
    assert served == listed
