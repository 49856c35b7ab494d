"""The audit writer: one row per mutation, written inside the mutation's own transaction."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.auth import current_user_or_none
from core.db import DB, utcnow

# Never stored in an audit row, whatever a caller passes in `details`.
_SECRET_KEYS = frozenset({"password", "new_password", "current_password", "password_hash", "token", "token_hash"})


class Audit:
    """Bound to one request: knows the client's address, user agent and signed-in user."""

    def __init__(self, db: DB, request: Request | None = None) -> None:
        self.db = db
        self.request = request

    async def record(
        self,
        action: str,
        entity_type: str | None = None,
        entity_id: int | None = None,
        details: dict[str, Any] | None = None,
        *,
        user_id: int | None = None,
    ) -> None:
        """Write an audit row. Call it inside `db.transaction()` together with the change.

        `user_id` defaults to the signed-in user of the request.
        """
        if user_id is None and self.request is not None:
            user = current_user_or_none(self.request)
            user_id = user.id if user else None
        clean = {key: value for key, value in (details or {}).items() if key not in _SECRET_KEYS}
        ip_address = user_agent = None
        if self.request is not None:
            ip_address = self.request.client.host if self.request.client else None
            user_agent = (self.request.headers.get("user-agent") or "")[:500] or None
        await self.db.execute(
            "core.insert_audit_log",
            user_id=user_id,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            details=clean,
            ip_address=ip_address,
            user_agent=user_agent,
            created_at=utcnow(),
        )
