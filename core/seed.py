"""`didhub seed -c FILE`: demo accounts and systems from the "seed" object of a config file.

The core knows no feature, so the seed is a client: it builds the app in-process and creates
everything through the public REST API, signed in as the seed's admin (the bootstrap admin when
the instance has none yet); only a new system is created by its owner, because the API makes a
system for whoever asks. What already exists (a user by username, a system by name among its
owner's, an alter, group or subsystem by name within its system, a membership) is left as it
is, so a second run creates nothing; its only trace is the audit log's record of the admin
signing in and out. The file is validated against the API's own limits before anything is
touched; an error names the file, the place inside it (`seed.users[1].systems[0].alters[2].name`)
and the problem.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import msgspec

from core import __version__
from core.config import Config

# The API's limits (VARCHAR lengths, no NUL, which PostgreSQL cannot store), checked up front.
Username = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9_.-]+$(?!\n)")]
Password = Annotated[str, msgspec.Meta(min_length=8, max_length=1024)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"^[^\x00]*$")]
Description = Annotated[str, msgspec.Meta(max_length=16_383, pattern=r"^[^\x00]*$")]
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9A-Fa-f]{6}$")]
# the API also takes the URL of one of the owner's uploads, which a seed file cannot know yet
AvatarUrl = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=r"^https?://[^\x00-\x20\x7f]+$")]
Role = Annotated[str, msgspec.Meta(min_length=1, max_length=50, pattern=r"^[^\x00]*$")]


class SeedAdmin(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password


class SeedAlter(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None
    avatar_url: AvatarUrl | None = None


class SeedGroup(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None
    color: Color | None = None
    # names of alters of the same system
    members: list[Name] = []


class SeedMember(msgspec.Struct, forbid_unknown_fields=True):
    alter: Name
    role: Role = "member"


class SeedSubsystem(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None
    color: Color | None = None
    members: list[SeedMember] = []


class SeedSystem(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    description: Description | None = None
    alters: list[SeedAlter] = []
    groups: list[SeedGroup] = []
    subsystems: list[SeedSubsystem] = []


class SeedUser(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    password: Password
    is_admin: bool = False
    is_system: bool = False
    systems: list[SeedSystem] = []


class Seed(msgspec.Struct, forbid_unknown_fields=True):
    admin: SeedAdmin
    users: list[SeedUser] = []


class SeedError(Exception):
    """The seed file is wrong, or the API refused part of it; one line for the operator."""

    def __init__(self, source: str, path: str, problem: str) -> None:
        super().__init__(f"{source}: {path}: {problem}")
        self.path = path
        self.problem = problem


def load_seed(file: str | Path) -> Seed:
    """Read and check the "seed" object of `file`; raise SeedError naming what is wrong and where."""
    source = str(file)
    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(source, "seed", f"cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise SeedError(source, "seed", f"not valid JSON ({exc})") from None
    if not isinstance(data, dict) or "seed" not in data:
        raise SeedError(source, "seed", 'missing: the file holds no "seed" object')
    try:
        seed = msgspec.convert(data["seed"], Seed)
    except msgspec.ValidationError as exc:
        # msgspec says "Expected `str` of length <= 255 - at `$.users[1].name`"
        problem, _, where = str(exc).rpartition(" - at `")
        if not problem:
            problem, where = str(exc), "$`"
        raise SeedError(source, "seed" + where.rstrip("`")[1:], problem) from None
    _check_references(seed, source)
    return seed


def _check_references(seed: Seed, source: str) -> None:
    """What a Struct cannot say: unique names (they are how a second run finds things) and references."""

    def unique(names: list[str], path: str, what: str, fold: bool = False) -> None:
        seen: set[str] = set()
        for index, name in enumerate(names):
            key = name.casefold() if fold else name
            if key in seen:
                raise SeedError(source, f"{path}[{index}]", f"{what} {name!r} appears twice")
            seen.add(key)

    unique([seed.admin.username] + [user.username for user in seed.users], "seed.users", "username", fold=True)
    for u, user in enumerate(seed.users):
        user_path = f"seed.users[{u}]"
        if user.systems and not user.is_system:
            raise SeedError(source, f"{user_path}.systems", 'only a system account ("is_system": true) can have systems')
        unique([system.name for system in user.systems], f"{user_path}.systems", "system")
        for s, system in enumerate(user.systems):
            path = f"{user_path}.systems[{s}]"
            alters = {alter.name for alter in system.alters}
            unique([alter.name for alter in system.alters], f"{path}.alters", "alter")
            unique([group.name for group in system.groups], f"{path}.groups", "group")
            unique([subsystem.name for subsystem in system.subsystems], f"{path}.subsystems", "subsystem")
            for g, group in enumerate(system.groups):
                unique(group.members, f"{path}.groups[{g}].members", "member")
                for m, member in enumerate(group.members):
                    if member not in alters:
                        raise SeedError(source, f"{path}.groups[{g}].members[{m}]", f"no alter named {member!r} in this system")
            for b, subsystem in enumerate(system.subsystems):
                unique([member.alter for member in subsystem.members], f"{path}.subsystems[{b}].members", "member")
                for m, member in enumerate(subsystem.members):
                    if member.alter not in alters:
                        raise SeedError(
                            source, f"{path}.subsystems[{b}].members[{m}].alter", f"no alter named {member.alter!r} in this system"
                        )


class _Api:
    """The REST API, in-process; every refusal becomes a SeedError at the seed's path."""

    def __init__(self, http: httpx.AsyncClient, source: str) -> None:
        self.http = http
        self.source = source
        self.created: Counter[str] = Counter()
        self.tokens: list[str] = []

    async def call(
        self, path: str, method: str, url: str, token: str | None = None, body: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.request(method, url, json=body, headers=headers, params=params)
        if response.status_code < 400:
            return None if response.status_code == 204 or not response.content else response.json()
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        status = f"{response.status_code} {problem.get('code') or response.reason_phrase}"
        for error in problem.get("errors") or []:
            raise SeedError(self.source, f"{path}.{error['field']}", f"{error['message']} (the API answered {status})")
        raise SeedError(self.source, path, f"{problem.get('detail') or 'refused'} (the API answered {status} to {method} {url})")

    async def items(self, path: str, url: str, token: str, **filters: Any) -> AsyncIterator[dict[str, Any]]:
        """Every item of a paginated list."""
        params = {**filters, "limit": 200}
        while True:
            page = await self.call(path, "GET", url, token, params=params)
            for item in page["items"]:
                yield item
            if not page["next_cursor"]:
                return
            params["cursor"] = page["next_cursor"]

    async def by_name(self, path: str, url: str, token: str, **filters: Any) -> dict[str, dict[str, Any]]:
        """The items of a list by name (the first of each name, as a second run found it)."""
        found: dict[str, dict[str, Any]] = {}
        async for item in self.items(path, url, token, **filters):
            found.setdefault(item["name"], item)
        return found

    async def login(self, path: str, username: str, password: str) -> dict[str, Any]:
        body = await self.call(path, "POST", "/api/v1/auth/login", body={"username": username, "password": password})
        self.tokens.append(body["token"])
        return body

    async def logout(self) -> None:
        for token in self.tokens:
            await self.http.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})


async def _seed_user(api: _Api, admin_token: str, user: SeedUser, path: str) -> None:
    user_id = None
    async for item in api.items(path, "/api/v1/users", admin_token, q=user.username):
        if item["username"].casefold() == user.username.casefold():
            user_id = item["id"]
    if user_id is None:
        body = {"username": user.username, "password": user.password, "is_admin": user.is_admin, "is_system": user.is_system}
        user_id = (await api.call(path, "POST", "/api/v1/users", admin_token, body))["id"]
        api.created["users"] += 1
    if not user.systems:
        return
    systems = await api.by_name(path, "/api/v1/systems", admin_token, user_id=user_id)
    owner_token = None
    for s, system in enumerate(user.systems):
        system_path = f"{path}.systems[{s}]"
        if system.name not in systems:
            # the API makes a system for whoever asks, so its owner asks; the admin does the rest
            if owner_token is None:
                owner_token = (await api.login(f"{path}.password", user.username, user.password))["token"]
            body = {"name": system.name, "description": system.description}
            systems[system.name] = await api.call(system_path, "POST", "/api/v1/systems", owner_token, body)
            api.created["systems"] += 1
        await _seed_system(api, admin_token, systems[system.name]["id"], system, system_path)


async def _seed_system(api: _Api, token: str, system_id: int, system: SeedSystem, path: str) -> None:
    """The system's alters, groups and subsystems with their members, as the admin (`token`)."""
    alters = await api.by_name(path, f"/api/v1/systems/{system_id}/alters", token)
    for a, alter in enumerate(system.alters):
        if alter.name not in alters:
            body = msgspec.structs.asdict(alter)
            alters[alter.name] = await api.call(f"{path}.alters[{a}]", "POST", f"/api/v1/systems/{system_id}/alters", token, body)
            api.created["alters"] += 1

    groups = await api.by_name(path, f"/api/v1/systems/{system_id}/groups", token)
    for g, group in enumerate(system.groups):
        group_path = f"{path}.groups[{g}]"
        if group.name not in groups:
            body = {"name": group.name, "description": group.description, "color": group.color}
            groups[group.name] = await api.call(group_path, "POST", f"/api/v1/systems/{system_id}/groups", token, body)
            api.created["groups"] += 1
        group_id = groups[group.name]["id"]
        members = {item["id"] async for item in api.items(group_path, f"/api/v1/groups/{group_id}/members", token)}
        for m, name in enumerate(group.members):
            alter_id = alters[name]["id"]
            if alter_id not in members:
                await api.call(f"{group_path}.members[{m}]", "PUT", f"/api/v1/groups/{group_id}/members/{alter_id}", token)
                api.created["group memberships"] += 1

    subsystems = await api.by_name(path, f"/api/v1/systems/{system_id}/subsystems", token)
    for b, subsystem in enumerate(system.subsystems):
        subsystem_path = f"{path}.subsystems[{b}]"
        if subsystem.name not in subsystems:
            body = {"name": subsystem.name, "description": subsystem.description, "color": subsystem.color}
            subsystems[subsystem.name] = await api.call(subsystem_path, "POST", f"/api/v1/systems/{system_id}/subsystems", token, body)
            api.created["subsystems"] += 1
        subsystem_id = subsystems[subsystem.name]["id"]
        url = f"/api/v1/subsystems/{subsystem_id}/members"
        roles = {item["alter"]["id"]: item["role"] async for item in api.items(subsystem_path, url, token)}
        for m, member in enumerate(subsystem.members):
            alter_id = alters[member.alter]["id"]
            if roles.get(alter_id) != member.role:
                await api.call(f"{subsystem_path}.members[{m}]", "PUT", f"{url}/{alter_id}", token, {"role": member.role})
                api.created["subsystem memberships"] += 1


async def run_seed(config: Config, seed: Seed, source: str) -> Counter[str]:
    """Create what `seed` describes and is missing; return how many of each kind were created."""
    from core.app import create_app

    # The seed's admin is the bootstrap admin (created when the instance has no admin yet). The
    # rate limit and the request log are for clients on the network; this is the operator, in-process.
    config = msgspec.structs.replace(
        config,
        admin_username=seed.admin.username,
        admin_password=seed.admin.password,
        rate_limit=0,
        log=f"didhub.access=warning,{config.log}",
    )
    app = create_app(config)
    refused: SeedError | None = None
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        headers = {"User-Agent": f"didhub-seed/{__version__}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://didhub-seed", headers=headers) as http:
            api = _Api(http, source)
            try:
                await _seed_all(api, seed, source)
            except SeedError as exc:
                # raised out here: inside the lifespan's task group it would come out as an ExceptionGroup
                refused = exc
            finally:
                # the seed's sign-ins end with it: no token is left behind
                await api.logout()
    if refused is not None:
        raise refused
    return api.created


async def _seed_all(api: _Api, seed: Seed, source: str) -> None:
    try:
        signed_in = await api.login("seed.admin", seed.admin.username, seed.admin.password)
    except SeedError as exc:
        raise SeedError(
            source,
            "seed.admin",
            f"cannot sign in as {seed.admin.username!r}: {exc.problem}; "
            "when the instance already has an administrator, give that one's username and password",
        ) from None
    if not signed_in["user"]["is_admin"]:
        raise SeedError(source, "seed.admin", f"{seed.admin.username!r} is not an administrator")
    for index, user in enumerate(seed.users):
        await _seed_user(api, signed_in["token"], user, f"seed.users[{index}]")
