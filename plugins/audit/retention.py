"""Deleting audit rows older than `audit.retention_days`."""

import asyncio
import contextlib
import logging
from datetime import timedelta

from core.db import utcnow
from core.services import Services

RETENTION_SETTING = "audit.retention_days"
PRUNE_INTERVAL = timedelta(days=1)
TASK_NAME = "didhub-audit-prune"

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


class DailyPruner:
    """Prunes at once and then daily, in a task of its own, until stopped."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._stopping = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name=TASK_NAME)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await prune(self.services)
            except Exception:
                logger.exception("pruning the audit log failed; trying again tomorrow")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(PRUNE_INTERVAL.total_seconds()):
                    await self._stopping.wait()

    async def stop(self) -> None:
        """End the task. A prune under way finishes first: cancelling it mid-query could leave
        its pooled connection checked out, and closing the pool would then wait forever."""
        self._stopping.set()
        await self._task
