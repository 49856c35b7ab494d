"""A third-party plugin, installed with pip like any package, on every backend."""

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.testing import ADMIN_PASSWORD, ADMIN_USERNAME
from test_migrations import _inspect
from test_serve import _free_port

EXAMPLE = Path(__file__).parent / "example_plugin"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    """The example package pip-installed into a folder of its own: on PYTHONPATH = installed."""
    site = tmp_path_factory.mktemp("site")
    # build from a copy, so setuptools leaves no build/ or egg-info in the checkout
    source = tmp_path_factory.mktemp("source") / "didhub-journal"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(site), str(source)],
        check=True,
    )
    return site


def _env(db_url: str, site: Path | None, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DIDHUB_") or key.startswith("DIDHUB_TEST_")}
    env.update(DIDHUB_DB=db_url, DIDHUB_UPLOAD_DIR=str(tmp_path / "uploads"), **extra)
    env.pop("PYTHONPATH", None)
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return env


def _didhub(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], env=env, capture_output=True, text=True, timeout=120)


def _serve(env: dict[str, str], cwd: Path):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "core", "serve", "--port", str(port)], env=env, cwd=cwd,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{base}/health", timeout=2)
            return server, base
        except httpx.TransportError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(server.stderr.read().decode())
            time.sleep(0.2)


def _stop(server) -> None:
    server.terminate()
    server.wait(timeout=20)


def test_installed_plugin_serves_routes_table_setting_and_cli(plugin_site, didhub_db_url, tmp_path):
    env = _env(didhub_db_url, plugin_site, tmp_path, DIDHUB_ADMIN_USERNAME=ADMIN_USERNAME, DIDHUB_ADMIN_PASSWORD=ADMIN_PASSWORD)

    listed = _didhub(env, "plugins")
    assert listed.returncode == 0, listed.stderr
    journal_line = next(line for line in listed.stdout.splitlines() if line.startswith("journal"))
    assert journal_line.split()[1:4] == ["0.1.0", "package", "didhub-journal"] and "didhub_routes" in journal_line
    assert "journal" in _didhub(env, "--help").stdout

    server, base = _serve(env, tmp_path)
    try:
        assert "/api/v1/alters/{alter_id}/journal" in httpx.get(f"{base}/schema/openapi.json").json()["paths"]
        token = httpx.post(f"{base}/api/v1/auth/login", json={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}).json()["token"]
        settings = httpx.get(f"{base}/api/v1/settings", headers={"Authorization": f"Bearer {token}"}).json()
        assert "journal.max_entry_length" in {setting["key"] for setting in settings}
    finally:
        _stop(server)

    stats = _didhub(env, "journal", "stats")
    assert (stats.returncode, stats.stdout.strip()) == (0, "0 journal entries"), stats.stderr
    status = _didhub(env, "migrate", "status").stdout.splitlines()
    assert [line.split()[0] for line in status if "journal-" in line] == ["applied", "applied"]
    assert "journal_entries" in asyncio.run(_inspect(didhub_db_url))["tables"]

    # rolling back the plugin removes only its table
    down = _didhub(env, "migrate", "down", "--plugin", "journal")
    assert down.stdout.strip() == "rolled back 2 migrations", down.stderr
    status = _didhub(env, "migrate", "status").stdout.splitlines()
    assert all(line.startswith("pending") for line in status if "journal-" in line)
    assert all(line.startswith("applied") for line in status if " core " in line)
    tables = asyncio.run(_inspect(didhub_db_url))["tables"]
    assert "journal_entries" not in tables and {"users", "alters"} <= tables


def test_uninstalling_the_plugin_leaves_didhub_starting_cleanly(plugin_site, didhub_db_url, tmp_path):
    # installed: its migrations run and its table exists
    installed = _env(didhub_db_url, plugin_site, tmp_path)
    assert _didhub(installed, "migrate", "up").returncode == 0
    # uninstalled: the table stays behind, DIDHub starts and is ready
    server, base = _serve(_env(didhub_db_url, None, tmp_path), tmp_path)
    try:
        ready = httpx.get(f"{base}/ready")
        assert ready.status_code == 200, ready.text
        assert "/api/v1/alters/{alter_id}/journal" not in httpx.get(f"{base}/schema/openapi.json").json()["paths"]
    finally:
        _stop(server)
    assert "journal" not in _didhub(_env(didhub_db_url, None, tmp_path), "plugins").stdout


def test_the_plugins_own_tests_pass_with_the_shipped_fixtures(plugin_site, didhub_backend):
    """Run the example's test suite as its author would, on this backend only."""
    env = {**os.environ, "PYTHONPATH": str(plugin_site)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(EXAMPLE), str(EXAMPLE / "tests"),
         "-k", didhub_backend],
        env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "skipped" not in result.stdout.splitlines()[-1]
