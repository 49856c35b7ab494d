"""Prometheus metrics at /metrics (only when DIDHUB_METRICS is on): requests, pool, row counts."""

from __future__ import annotations

from litestar import Response, get
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import Gauge

from core.services import Services

POOL = Gauge("didhub_db_pool_connections", "Database connections of this process by state", ["state"])
ROWS = Gauge("didhub_rows", "Rows in the instance's main tables", ["table"])

# request counts and latency histograms per route template and status
PROMETHEUS = PrometheusConfig(app_name="didhub", prefix="didhub", group_path=True, exclude=["/metrics"])


class MetricsController(PrometheusController):
    path = "/metrics"

    @get(summary="Prometheus metrics", description="Off unless DIDHUB_METRICS is set.", tags=["health"])
    async def get(self, services: Services) -> Response:  # type: ignore[override]
        in_use, idle = services.db.pool_usage()
        POOL.labels("in_use").set(in_use)
        POOL.labels("idle").set(idle)
        counts = await services.db.fetch_one("core.row_counts") or {}
        for table, count in counts.items():
            ROWS.labels(table).set(count)
        return await super().get.fn(self)
