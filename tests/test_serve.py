"""`didhub serve` as a real process: migrates, then serves /health, /ready and /schema."""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_migrates_and_answers(didhub_backend, didhub_db_url, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DIDHUB_DB": didhub_db_url,
        "DIDHUB_PORT": str(port),
        "DIDHUB_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "core", "serve"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode()
                assert time.monotonic() < deadline, "didhub serve did not start"
                time.sleep(0.2)
        assert health.json() == {"status": "ok"}
        ready = httpx.get(f"{base}/ready")
        assert ready.status_code == 200
        assert ready.json()["database"] == didhub_backend
        assert httpx.get(f"{base}/schema/openapi.json").json()["info"]["title"] == "DIDHub"
        assert httpx.get(f"{base}/schema").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_an_invalid_setting_stops_startup_with_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "core", "migrate", "status"],
        env={**os.environ, "DIDHUB_PORT": "eighty"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "DIDHUB_PORT" in result.stderr and "Traceback" not in result.stderr
