"""What a buyer saw on a listing page at one instant: the listing and its patent, folded from their events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from domain.catalogue.listing import Listing
from domain.catalogue.patent import Patent
from domain.shared.errors import NotFoundError, ValidationError
from marketplace.audit.replay import StoredEvent, as_utc, event_type, events


@dataclass(frozen=True)
class StatusEntry:
    """A legal-status entry of a patent, as the live listing page lists them."""

    version: int
    legal_status: str
    effective_date: date | None
    reason: str
    recorded_at: datetime


@dataclass(frozen=True)
class ListingAsOf:
    """A listing and its patent as they stood at ``instant`` (what a buyer saw then)."""

    instant: datetime
    listing: Listing
    patent: Patent
    drafted_at: datetime
    published_at: datetime | None
    status_history: list[StatusEntry]
    organisation_name: str



def _events_until(
    app: Application[UUID], aggregate_id: UUID, *, instant: datetime | None, version: int | None = None
) -> Iterator[StoredEvent]:
    for event in events(app, aggregate_id, lte=version):
        if instant is not None and event.timestamp > instant:
            return
        yield event


def _fold(events: Iterator[StoredEvent]) -> tuple[Aggregate | None, list[StoredEvent]]:
    aggregate: Aggregate | None = None
    seen: list[StoredEvent] = []
    for event in events:
        aggregate = event.mutate(aggregate)
        seen.append(event)
    return aggregate, seen


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _status_history(events: list[StoredEvent]) -> list[StatusEntry]:
    entries: list[StatusEntry] = []
    for event in events:
        kind, data = event_type(event), vars(event)
        if kind in ("Patent.Registered", "Patent.Reregistered"):
            granted = data["legal_status"] == "granted"
            effective = _day(data["grant_date"] if granted else data["filing_date"])
            reason = kind.split(".")[1].lower()
            entries.append(
                StatusEntry(event.originator_version, data["legal_status"], effective, reason, event.timestamp)
            )
        elif kind == "Patent.RegistrationWithdrawn" and entries:  # as the catalogue's status history shows it
            entries.append(StatusEntry(event.originator_version, entries[-1].legal_status, None,
                                       f"registration withdrawn: {data['reason']}", event.timestamp))
        elif kind == "Patent.LegalStatusChanged":
            entries.append(
                StatusEntry(
                    event.originator_version,
                    data["status"],
                    _day(data["effective_date"]),
                    data["reason"],
                    event.timestamp,
                )
            )
    return entries


def listing_as_of(
    app: Application[UUID], listing_id: UUID, *, at: datetime | None = None, version: int | None = None
) -> ListingAsOf:
    """The listing and its patent at instant ``at``, or at the instant of the listing's ``version``, or now.

    Folds the listing's and the patent's events up to that instant (the page also needs when the
    listing was first published and the patent's status history, which only the events hold).
    """
    if version is not None and at is not None:
        raise ValidationError(
            "version: give either a version or an instant, not both", field="version", code="audit.version_or_time"
        )
    instant = as_utc(at) if at is not None else None
    if at is None and version is None:
        instant = datetime.now(UTC)
    listing, events = _fold(_events_until(app, listing_id, instant=instant, version=version))
    if listing is None:
        when = f" at {instant.isoformat()}" if instant else ""
        message = f"listing_id: no listing with id {listing_id}{when}"
        if at is not None:
            raise NotFoundError(message, field="listing_id", code="audit.none_at", at=as_utc(at))
        raise NotFoundError(message, field="listing_id", code="not_found")
    if not isinstance(listing, Listing):
        raise NotFoundError(
            f"listing_id: {listing_id} is a {type(listing).__name__}, not a listing", field="listing_id",
            code="not_found",
        )
    if version is not None and listing.version != version:
        raise NotFoundError(
            f"version: listing {listing_id} has versions 1 to {listing.version}", field="version",
            code="audit.versions", last=listing.version,
        )
    instant = instant or listing.modified_on
    patent, patent_events = _fold(_events_until(app, listing.patent_id, instant=instant))
    assert isinstance(patent, Patent), "a listing's patent is recorded before the listing"
    published = [e.timestamp for e in events if event_type(e) == "Listing.Published"]
    name = next((o["name"] for o in patent.owners if o["organisation_id"] == str(listing.organisation_id)), "")
    return ListingAsOf(
        instant=instant,
        listing=listing,
        patent=patent,
        drafted_at=listing.created_on,
        published_at=published[0] if published else None,
        status_history=_status_history(patent_events),
        organisation_name=name,
    )
