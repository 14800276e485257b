"""Writing User events the way stores before issue 9 wrote them: personal data and grants in the payloads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.shared.ids import legacy_user_id
from marketplace.accounts.passwords import hash_password
from marketplace.platform.application import Marketplace

USER_TOPIC = "domain.user:User"


def write_old_event(app: Marketplace, user_id: UUID, version: int, kind: str, state: dict[str, Any]) -> None:
    """Insert one event as the old code stored it (same topic, old payload), bypassing today's classes."""
    payload = {"timestamp": datetime.now(UTC), **state}
    if version == 1:
        payload["originator_topic"] = USER_TOPIC
    stored = StoredEvent(originator_id=user_id, originator_version=version, topic=f"{USER_TOPIC}.{kind}",
                         state=app.mapper.transcoder.encode(payload))
    app.recorder.insert_events([stored])


def old_sign_up(app: Marketplace, email: str, name: str, password: str, organisation_id: UUID,
                roles: list[str], by: UUID | None) -> UUID:
    """An old ``SignedUp``: id derived from the e-mail, e-mail, name and argon2 hash in the payload."""
    user_id = legacy_user_id(email)
    write_old_event(app, user_id, 1, "SignedUp", {
        "email": email, "display_name": name, "password_hash": hash_password(password),
        "organisation_id": organisation_id, "roles": roles, "by": by,
    })
    return user_id


def old_grant(app: Marketplace, user_id: UUID, version: int, role: str, by: UUID) -> None:
    """An old ``RoleGranted`` without the authority it was granted under."""
    write_old_event(app, user_id, version, "RoleGranted", {"role": role, "by": by})


def old_password_change(app: Marketplace, user_id: UUID, version: int, password: str) -> None:
    write_old_event(app, user_id, version, "PasswordChanged",
                    {"password_hash": hash_password(password), "by": user_id})
