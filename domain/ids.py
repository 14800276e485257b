"""Deterministic ids for natural keys, so duplicates fail at save without asking a read model."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1d3c0e-5b7a-4c1e-9a4e-2f0b8d7c6a51")


def natural_id(kind: str, key: str) -> UUID:
    """The id of the aggregate of ``kind`` whose natural key is ``key`` (case-insensitive)."""
    return uuid5(NAMESPACE, f"{kind}:{key.strip().casefold()}")


def organisation_id(name: str) -> UUID:
    """Organisations are identified by their normalised legal name."""
    return natural_id("organisation", " ".join(name.split()))


def legacy_user_id(email: str) -> UUID:
    """The id stores written before personal data left the events gave a user: derived from its e-mail.

    New accounts get random ids (``domain.user.User.create_id``), since this one is a linkable pseudonym.
    """
    return natural_id("user", email)


def patent_id(number_key: str) -> UUID:
    """Patents are identified by their office-qualified number key (see ``domain.patent_numbers``)."""
    return natural_id("patent", number_key)
