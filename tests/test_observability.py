"""Request logs, SQL logs, JSON logs and Prometheus metrics."""

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

pytestmark = pytest.mark.anyio


class TestMetricsOn:
    @pytest.fixture
    def didhub_settings(self):
        return {"DIDHUB_METRICS": "1"}

    async def test_metrics_count_a_request_just_made(self, client):
        assert (await client.get("/health")).status_code == 200
        text = (await client.get("/metrics")).text
        requests = [line for line in text.splitlines() if line.startswith("didhub_requests_total") and 'path="/health"' in line]
        assert requests and float(requests[0].rsplit(" ", 1)[1]) >= 1
        assert "didhub_request_duration_seconds_bucket" in text
        assert 'didhub_rows{table="users"}' in text
        assert 'didhub_db_pool_connections{state="idle"}' in text


async def test_metrics_are_off_unless_asked_for(client):
    assert (await client.get("/metrics")).status_code == 404


def test_sql_and_request_lines_are_logged_as_json(tmp_path):
    from test_serve import _free_port

    port = _free_port()
    env = {
        **os.environ,
        "DIDHUB_DB": f"sqlite:///{tmp_path / 'logs.sqlite'}",
        "DIDHUB_PORT": str(port),
        "DIDHUB_LOG": "databases=debug,didhub=info",
        "DIDHUB_LOG_FORMAT": "json",
    }
    server = subprocess.Popen([sys.executable, "-m", "core", "serve"], env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/ready", headers={"X-Request-ID": "trace-me"}, timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[1].decode()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert any("Query:" in line["message"] and "SELECT 1" in line["message"] for line in lines)
    assert any(line["logger"] == "didhub.access" and "/ready 200" in line["message"] and "trace-me" in line["message"] for line in lines)
