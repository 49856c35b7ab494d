"""`didhub backup` / `didhub restore`: the seeded demo instance with an upload moves between backends
row for row and file for file; damaged and malicious archives are refused and change nothing."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from core.app import create_app
from core.testing import BACKENDS
from operations_support import (
    EXAMPLE,
    backend_available,
    config_of,
    didhub,
    files_under,
    fresh_database,  # noqa: F401 (a fixture)
    instance_env,
    table_contents,
)

SEED = json.loads(EXAMPLE.read_text())["seed"]
OWNER = SEED["users"][0]
SYSTEM = OWNER["systems"][0]


async def _signed_in(http: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await http.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _with_app(env: dict[str, str | None], work: Any) -> Any:
    """`await work(http)` against the instance `env` describes, served in-process."""

    async def run() -> Any:
        app = create_app(config_of(env))
        async with app.lifespan():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
                return await work(http)

    return asyncio.run(run())


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 160, 150)).save(buffer, "PNG")
    return buffer.getvalue()


async def _give_robin_an_avatar(http: httpx.AsyncClient) -> None:
    headers = await _signed_in(http, OWNER["username"], OWNER["password"])
    uploaded = await http.post(
        "/api/v1/uploads", files={"file": ("robin.png", _png(), "image/png")}, data={"alt_text": "Robin, drawn by Pip"}, headers=headers
    )
    assert uploaded.status_code == 201, uploaded.text
    system = (await http.get("/api/v1/systems", headers=headers)).json()["items"][0]
    alters = (await http.get(f"/api/v1/systems/{system['id']}/alters", headers=headers)).json()["items"]
    robin = next(alter for alter in alters if alter["name"] == "Robin")
    changed = await http.patch(f"/api/v1/alters/{robin['id']}", json={"avatar_url": uploaded.json()["url"]}, headers=headers)
    assert changed.status_code == 200, changed.text


def _demo_instance(db_url: str, upload_dir: Path) -> dict[str, str | None]:
    """The example seed, plus one uploaded image that Robin uses as an avatar."""
    env = instance_env(db_url, upload_dir)
    seeded = didhub(env, "seed", "-c", EXAMPLE)
    assert seeded.exit_code == 0, seeded.output
    _with_app(env, _give_robin_an_avatar)
    return env


@pytest.fixture
def source(didhub_db_url: str, tmp_path: Path) -> dict[str, str | None]:
    """The demo instance on the backend under test."""
    return _demo_instance(didhub_db_url, tmp_path / "source-uploads")


@pytest.fixture(scope="module")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the demo instance, made once (on SQLite) for the tests that only need an archive."""
    folder = tmp_path_factory.mktemp("demo")
    env = _demo_instance(f"sqlite:///{folder / 'demo.sqlite'}", folder / "uploads")
    archive = folder / "demo.tar"
    made = didhub(env, "backup", archive)
    assert made.exit_code == 0, made.output
    return archive


def test_an_instance_moves_to_every_other_backend_row_for_row_and_file_for_file(
    source, didhub_backend, fresh_database, tmp_path, request
):
    archive = tmp_path / "didhub.tar.gz"
    made = didhub(source, "backup", archive)
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("backed up ") and "1 files" in made.stdout
    source_rows = table_contents(source)
    source_files = files_under(Path(source["DIDHUB_UPLOAD_DIR"]))
    assert len(source_files) == 1 and len(source_rows["uploads"]) == 1
    assert source_rows["uploads"][0]["filename"] in source_files

    targets = [backend for backend in BACKENDS if backend != didhub_backend and backend_available(backend, request)]
    if not targets:
        pytest.skip("no other backend is configured")
    for target_backend in targets:
        target = instance_env(fresh_database(target_backend), tmp_path / f"{target_backend}-uploads")
        restored = didhub(target, "restore", archive)
        assert restored.exit_code == 0, f"{didhub_backend} → {target_backend}: {restored.output}"

        for table, rows in table_contents(target).items():
            assert rows == source_rows[table], f"{didhub_backend} → {target_backend}: table {table} differs"
        # the files by hash, and nothing else (no staging folder left behind)
        assert files_under(Path(target["DIDHUB_UPLOAD_DIR"])) == source_files

        again = didhub(target, "restore", archive)
        assert again.exit_code == 2 and "is not empty" in again.stderr

        async def use_restored_instance(http: httpx.AsyncClient) -> None:
            headers = await _signed_in(http, OWNER["username"], OWNER["password"])
            systems = (await http.get("/api/v1/systems", headers=headers)).json()["items"]
            assert [system["name"] for system in systems] == [SYSTEM["name"]]
            alters = (await http.get(f"/api/v1/systems/{systems[0]['id']}/alters", headers=headers)).json()["items"]
            assert [alter["name"] for alter in alters] == [alter["name"] for alter in SYSTEM["alters"]]
            robin = alters[0]
            content = await http.get(robin["avatar_url"], headers=headers)
            assert content.status_code == 200
            assert content.content == (Path(target["DIDHUB_UPLOAD_DIR"]) / source_rows["uploads"][0]["filename"]).read_bytes()
            # new rows get ids past the restored ones (PostgreSQL's sequences were moved on)
            newcomer = await http.post(f"/api/v1/systems/{systems[0]['id']}/alters", json={"name": "Newcomer"}, headers=headers)
            assert newcomer.status_code == 201, newcomer.text
            assert newcomer.json()["id"] > max(alter["id"] for alter in alters)
            admin = await _signed_in(http, SEED["admin"]["username"], SEED["admin"]["password"])
            created = await http.post(
                "/api/v1/users", json={"username": "newcomer", "password": "a fresh passphrase"}, headers=admin
            )
            assert created.status_code == 201, created.text
            assert created.json()["id"] > max(user["id"] for user in source_rows["users"])

        _with_app(target, use_restored_instance)


# --- Archives that must be refused ------------------------------------------------------------


def _members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive) as tar:
        return [(member, tar.extractfile(member).read()) for member in tar.getmembers()]  # type: ignore[union-attr]


def _tar(members: list[tuple[tarfile.TarInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for member, data in members:
            member = _copy(member)
            member.size = len(data) if member.isreg() else 0
            tar.addfile(member, io.BytesIO(data) if member.isreg() else None)
    return buffer.getvalue()


def _copy(member: tarfile.TarInfo, name: str | None = None) -> tarfile.TarInfo:
    copy = tarfile.TarInfo(name or member.name)
    copy.type, copy.linkname, copy.mode, copy.mtime = member.type, member.linkname, member.mode, member.mtime
    return copy


def _bad_archives(good: Path, evil_target: Path) -> dict[str, tuple[bytes, str]]:
    """name → (archive bytes, what the refusal says)."""
    plain = good.read_bytes()
    members = _members(good)
    upload = next(member for member, _ in members if member.name.startswith("uploads/"))
    evil = tarfile.TarInfo("x")

    with tarfile.open(good) as tar:
        alters = tar.getmember("tables/alters.jsonl")
    flipped = bytearray(plain)
    robin = plain.index(b"Robin", alters.offset_data)
    flipped[robin + 3] = ord("y")  # "Robyn": still valid JSON, so only the hash can tell

    def replaced_manifest(**changes: Any) -> bytes:
        manifest = json.loads(members[0][1]) | changes
        return _tar([(members[0][0], json.dumps(manifest).encode())] + members[1:])

    link = _copy(upload)
    link.type, link.linkname = tarfile.SYMTYPE, "../../evil"
    compressed = gzip.compress(plain)
    flipped_gz = bytearray(compressed)
    flipped_gz[len(compressed) // 2] ^= 0xFF
    return {
        "truncated": (plain[: upload.offset_data + 20], "damaged"),
        "truncated gzip": (compressed[: len(compressed) * 2 // 3], "damaged"),
        "flipped byte": (bytes(flipped), "does not match its SHA-256"),
        "flipped byte in gzip": (bytes(flipped_gz), "nothing was restored"),
        "../evil": (_tar(members + [(_copy(evil, "../evil"), b"evil")]), "outside the upload folder"),
        "uploads/../evil": (_tar(members + [(_copy(evil, "uploads/../evil"), b"evil")]), "outside the upload folder"),
        "absolute path": (_tar(members + [(_copy(evil, str(evil_target)), b"evil")]), "outside the upload folder"),
        "link": (_tar([(link, b"") if member is upload else (member, data) for member, data in members]), "not a regular file"),
        "../evil in the manifest": (replaced_manifest(files={"../evil": {"size": 4, "sha256": "0" * 64}}), "outside the upload folder"),
        "format version 2": (replaced_manifest(format_version=2), "format version 2"),
        "not a backup": (b"just some text, not a tar file at all\n" * 40, "not a DIDHub backup"),
    }


def test_damaged_and_malicious_archives_are_refused_and_change_nothing(demo_archive, didhub_db_url, fresh_database, tmp_path):
    source = instance_env(didhub_db_url, tmp_path / "source-uploads")
    good = demo_archive
    assert didhub(source, "restore", good).exit_code == 0
    upload_dir = Path(source["DIDHUB_UPLOAD_DIR"])
    rows_before, files_before = table_contents(source), files_under(upload_dir)
    empty = instance_env(fresh_database("sqlite"), tmp_path / "empty-uploads")
    assert didhub(empty, "migrate", "up").exit_code == 0
    empty_upload_dir = Path(empty["DIDHUB_UPLOAD_DIR"])
    evil_target = tmp_path / "abs" / "evil"

    def outside_upload_dirs() -> set[Path]:
        return {path for path in tmp_path.rglob("*") if not {upload_dir, empty_upload_dir} & {path, *path.parents}}

    outside_before = outside_upload_dirs()

    for name, (data, reason) in _bad_archives(good, evil_target).items():
        bad = tmp_path / f"bad-{name.replace('/', '_').replace(' ', '-')}.tar"
        bad.write_bytes(data)
        # --force first empties the database: that must be rolled back too
        refused = didhub(source, "restore", "--force", bad)
        assert refused.exit_code == 2, f"{name}: {refused.output}"
        assert reason in refused.stderr and "nothing was restored" in refused.stderr, f"{name}: {refused.stderr}"
        assert table_contents(source) == rows_before, name
        assert files_under(upload_dir) == files_before, name
        if name in ("truncated", "flipped byte", "../evil"):
            into_empty = didhub(empty, "restore", bad)
            assert into_empty.exit_code == 2, f"{name}: {into_empty.output}"
            assert all(rows == [] for rows in table_contents(empty).values()), name
        bad.unlink()
        assert files_under(empty_upload_dir) == {}, name
        outside_now = outside_upload_dirs()
        assert outside_now == outside_before, f"{name}: wrote {outside_now - outside_before}"
        assert not evil_target.exists() and not (tmp_path / "evil").exists()

    # and the good archive still restores over it all with --force
    replaced = didhub(source, "restore", "--force", good)
    assert replaced.exit_code == 0, replaced.output
    assert table_contents(source) == rows_before
    assert files_under(upload_dir) == files_before
