"""The first administrator, from `DIDHUB_ADMIN_USERNAME` and `DIDHUB_ADMIN_PASSWORD`."""

from __future__ import annotations

import logging

import msgspec

from core.audit import Audit
from core.errors import Conflict
from core.services import Services
from plugins.accounts import service
from plugins.accounts.models import Password, Username
from plugins.accounts.passwords import hash_password

logger = logging.getLogger("didhub.accounts")


async def ensure_admin(services: Services) -> None:
    """Create an approved admin when both settings are set and no approved admin exists.

    Changes nothing otherwise. Two workers starting at once may both try: the username's
    unique key lets one win, and the other's conflict is expected.
    """
    config = services.config
    if not (config.admin_username and config.admin_password):
        return
    db = services.db
    if await db.fetch_one("accounts.find_admin") is not None:
        return
    try:
        username = msgspec.convert(config.admin_username, Username)
        password = msgspec.convert(config.admin_password, Password)
    except msgspec.ValidationError as exc:
        raise ValueError(f"DIDHUB_ADMIN_USERNAME / DIDHUB_ADMIN_PASSWORD: {exc}") from None
    password_hash = await hash_password(password)
    try:
        async with db.transaction():
            user_id = await service.insert_user(
                db, username=username, password_hash=password_hash, is_admin=True, is_system=False, is_approved=True
            )
            await Audit(db).record(
                "user.create", "user", user_id, {"username": username, "is_admin": True, "bootstrap": True}
            )
    except Conflict:
        if await db.fetch_one("accounts.find_admin") is None:
            logger.warning(
                "DIDHUB_ADMIN_USERNAME %r belongs to an account that is not an approved admin; left as it is", username
            )
        return
    logger.info("created the administrator %r", username)
