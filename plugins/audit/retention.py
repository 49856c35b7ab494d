"""Deleting audit rows older than `audit.retention_days`."""

import asyncio
import logging
from datetime import timedelta

from core.db import utcnow
from core.services import Services

RETENTION_SETTING = "audit.retention_days"
PRUNE_INTERVAL = timedelta(days=1)

logger = logging.getLogger("didhub.audit")


async def prune(services: Services) -> None:
    """Delete the rows older than the retention period, in one statement; 0 days keeps all."""
    days = await services.settings.get(RETENTION_SETTING)
    if days == 0:
        return
    cutoff = utcnow() - timedelta(days=days)
    async with services.db.transaction():
        await services.db.execute("audit.delete_older_than", cutoff=cutoff)
    logger.info("deleted audit log rows older than %s", cutoff.isoformat())


async def prune_daily(services: Services) -> None:
    """Prune now, then once a day, until cancelled; a failed run is logged and retried tomorrow."""
    while True:
        try:
            await prune(services)
        except Exception:
            logger.exception("pruning the audit log failed")
        await asyncio.sleep(PRUNE_INTERVAL.total_seconds())
