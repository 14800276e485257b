"""Deterministic ids for natural keys, so duplicates fail at save without asking a read model."""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.shared.text import name_key

NAMESPACE = UUID("6f1d3c0e-5b7a-4c1e-9a4e-2f0b8d7c6a51")


def natural_id(kind: str, key: str) -> UUID:
    """The id of the aggregate of ``kind`` whose natural key is ``key`` (case-insensitive)."""
    return uuid5(NAMESPACE, f"{kind}:{key.strip().casefold()}")


def requested_id(kind: str, actor_id: UUID, key: UUID) -> UUID:
    """The id of the aggregate of ``kind`` that the user ``actor_id``'s request named by ``key`` creates.

    ``key`` is the client's idempotency key (a form's token, an API client's retry key): sent twice, the request
    names the same aggregate, so a double submit has one effect. The key is never used as the id itself: other
    aggregates' ids are derived from things anyone knows (a lot's contract, a session's lot), so a client choosing
    ids could take (squat) the id another aggregate will be saved under and stop it from being saved. Derived in
    the user's own namespace, a requested id cannot be steered onto another aggregate's id.
    """
    return natural_id(f"{kind}-request", f"{actor_id}:{key}")


def organisation_id(name: str) -> UUID:
    """Organisations are identified by their legal name as names compare (``domain.text.name_key``:
    NFKC, case-folded, no invisible characters), so ``ＦＺＵ福州大学`` is ``FZU福州大学``.

    For a name already in that form the id is the one given before names were compared so
    (:func:`legacy_organisation_id`): stored organisations with plain names keep being found.
    """
    return natural_id("organisation", name_key(name))


def legacy_organisation_id(name: str) -> UUID:
    """The id organisations were registered under before names were compared under NFKC: the
    name with its white space collapsed, case-folded. Stores written then hold such ids."""
    return natural_id("organisation", " ".join(name.split()))


def organisation_ids(name: str) -> tuple[UUID, ...]:
    """Where an organisation of this name may be registered: its id, then its legacy id if that differs."""
    return tuple(dict.fromkeys((organisation_id(name), legacy_organisation_id(name))))


def legacy_user_id(email: str) -> UUID:
    """The id stores written before personal data left the events gave a user: derived from its e-mail.

    New accounts get random ids (``domain.user.User.create_id``), since this one is a linkable pseudonym.
    """
    return natural_id("user", email)


def patent_id(number_key: str) -> UUID:
    """Patents are identified by their office-qualified number key (see ``domain.catalogue.patent_numbers``)."""
    return natural_id("patent", number_key)
