"""The deadline worker: acts when a deadline passes, not only when someone next reads the record.

Every ``interval`` seconds it asks the deals read model for open offers whose ``expires_at`` is
at or before ``app.clock.now()`` and expires each through the application (the ``Offer``
aggregate re-checks the deadline, so a stale read model row is harmless), then asks the
application to raise the payment obligations of instalments that have fallen due and the minimum
annual royalty of licence years that ended without the report that closes them, then expires
the patents whose statutory term has ended (their listings are suspended with them), then flags funded
patents near or past their conversion deadline (限时转化, ``app.conversions``), then publishes the
achievement packages scheduled for the day (科技成果包, ``app.packages``). ``serve``
runs it in a thread next to the projection runner; ``run-projections`` runs it in the worker
process; tests call :meth:`DeadlineWorker.run_once` after moving the injected clock.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from uuid import UUID

from domain.shared.errors import DomainError
from marketplace.auctions.commands import CloseLot, ForfeitLot, PayInDeposit, RemindReveals, RetryRefunds
from marketplace.catalogue.commands import ExpirePatent
from marketplace.catalogue.patents import BEIJING
from marketplace.deals.commands import ExpireOffer
from marketplace.market.package_commands import PublishDuePackage
from marketplace.platform.services import Services
from marketplace.programmes.claims_process import ClaimsProcess
from marketplace.programmes.commands import ExpireVoucher
from marketplace.programmes.conversions import FundedPatent
from projections.auctions.queries import (
    deposits_to_pay_in,
    lots_owing_refunds,
    lots_to_close,
    lots_to_forfeit,
    lots_to_remind,
)
from projections.catalogue.queries import patents_past_term
from projections.deals.queries import (
    contracts_with_instalments_due,
    licences_owing_minimum_royalty,
    offers_due_to_expire,
)
from projections.market.package_queries import packages_due
from projections.programmes.conversions import funded_patents
from projections.programmes.queries import vouchers_past_date

log = logging.getLogger(__name__)


@dataclass
class DeadlineReport:
    """What one pass did: offers expired (or found closed meanwhile), and the log position of its last save."""

    expired: list[UUID] = field(default_factory=list)
    refused: list[UUID] = field(default_factory=list)
    last_position: int = 0
    claims_raised: list[UUID] = field(default_factory=list)
    claims_reversed: list[UUID] = field(default_factory=list)
    #: Patents whose statutory term ended (now expired, their listings suspended).
    patents_expired: list[UUID] = field(default_factory=list)
    #: Conversion flags raised, gone overdue or cleared by a paid licence or transfer (限时转化).
    conversions: list[UUID] = field(default_factory=list)
    #: Innovation vouchers past their date (expired, their unused value back in the budget).
    vouchers_expired: list[UUID] = field(default_factory=list)
    #: Auction lots closed at the end of their bidding window.
    lots_closed: list[UUID] = field(default_factory=list)
    #: Sealed lots whose bidders that have not revealed were reminded.
    reveals_reminded: list[UUID] = field(default_factory=list)
    #: Winners' deposits paid into their signed contracts' deposit instalments.
    deposits_paid_in: list[UUID] = field(default_factory=list)
    #: Sold lots whose winner did not sign and pay within the session's term (deposit forfeited, contract ended).
    lots_forfeited: list[UUID] = field(default_factory=list)
    #: Lots whose deposit refunds owed (refused by the gateway before) went through this time.
    refunds_retried: list[UUID] = field(default_factory=list)
    vouchers_returned: list[UUID] = field(default_factory=list)
    #: Achievement packages whose scheduled edition was published (科技成果包).
    packages_published: list[UUID] = field(default_factory=list)


class DeadlineWorker:
    """Expires offers at their deadline, follows payments into programme claims (``ClaimsProcess``) and
    raises instalments when they fall due."""

    def __init__(self, services: Services, *, interval: float = 10.0) -> None:
        self.services = services
        self.interval = interval
        self.claims = ClaimsProcess(services.app.programmes, services.claims_tracking, vouchers=services.app.vouchers)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def run_once(self) -> DeadlineReport:
        """One pass over the deadlines that have passed at the application's clock, in a context of its own: what
        a command of an earlier pass read and did not save (a refusal) is not taken for this pass's reads (a save
        is refused if the database server crashed after the command's first read: ``server_restarts``)."""
        return contextvars.Context().run(self._run_once)

    def _run_once(self) -> DeadlineReport:
        app = self.services.app
        report = DeadlineReport()
        now = app.clock.now()
        for offer_id in offers_due_to_expire(self.services.views["deals"].datastore, now):
            try:
                position = app.offers.expire_offer(ExpireOffer(offer_id=offer_id))
            except DomainError as refusal:
                # Accepted, withdrawn or expired meanwhile (another worker, or a party just now).
                log.info("offer %s not expired: %s", offer_id, refusal.message)
                report.refused.append(offer_id)
            else:
                report.expired.append(offer_id)
                report.last_position = position
        claims = self.claims.run_once()
        report.claims_raised.extend(claims.raised)
        report.claims_reversed.extend(claims.reversed)
        report.vouchers_returned.extend(claims.vouchers_returned)
        today = now.astimezone(BEIJING).date()  # instalments and licence years fall due on Beijing days
        due = contracts_with_instalments_due(self.services.views["deals"].datastore, today)
        if due:
            report.last_position = app.contracts.raise_due_instalments(today, due) or report.last_position
        # A licence year over without the report that closes it owes its minimum annual royalty (once).
        owing = licences_owing_minimum_royalty(self.services.views["deals"].datastore, today)
        if owing:
            report.last_position = app.contracts.raise_minimum_royalties(today, owing) or report.last_position
        self._expire_patents(report)
        self._flag_conversions(report)
        self._expire_vouchers(report)
        self._close_lots(report)
        self._publish_packages(report)
        return report

    def _close_lots(self, report: DeadlineReport) -> None:
        """Auction lots whose bidding window ended close: the winner's contract drafted, other deposits refunded; a
        winner's deposit pays its instalment once its contract is in force; a winner past the session's term
        without paying forfeits its deposit (its contract ended, the patent free for the listing again)."""
        app = self.services.app
        lots = self.services.views["auctions"].datastore
        _each(report, lots_to_remind(lots, app.clock.now()), report.reveals_reminded, "lot %s not reminded: %s",
              lambda lot_id: app.auctions.remind_reveals(RemindReveals(lot_id=lot_id)))
        # Not closed: extended by a last bid, or closed meanwhile.
        _each(report, lots_to_close(lots, app.clock.now()), report.lots_closed, "lot %s not closed: %s",
              lambda lot_id: app.auctions.close(CloseLot(lot_id=lot_id)))
        # Not paid in: the contract terminated, or paid in meanwhile.
        _each(report, deposits_to_pay_in(lots), report.deposits_paid_in, "deposit of lot %s not paid in: %s",
              lambda lot_id: app.auctions.pay_in_deposit(PayInDeposit(lot_id=lot_id)))
        # Not forfeited: paid meanwhile (in force), or forfeited by another worker.
        _each(report, lots_to_forfeit(lots, app.clock.now()), report.lots_forfeited, "lot %s not forfeited: %s",
              lambda lot_id: app.auctions.forfeit(ForfeitLot(lot_id=lot_id)))
        # Deposit refunds the gateway refused before (owed) are tried again; the lot records those that go
        # through (a refusal again changes nothing).
        _each(report, lots_owing_refunds(lots), report.refunds_retried, "refunds of lot %s not retried: %s",
              lambda lot_id: app.auctions.retry_refunds(RetryRefunds(lot_id=lot_id)))

    def _publish_packages(self, report: DeadlineReport) -> None:
        """Achievement packages scheduled for today or before (Beijing) publish their edition (the aggregate
        re-checks the day; a curator's save meanwhile is retried on the package as it then stands)."""
        app = self.services.app
        today = app.clock.now().astimezone(BEIJING).date()
        # Not published: changing right now, the next pass publishes it.
        _each(report, packages_due(self.services.views["market_packages"].datastore, today),
              report.packages_published, "package %s not published: %s",
              lambda package_id: app.packages.publish_due_package(PublishDuePackage(package_id=package_id)))

    def _flag_conversions(self, report: DeadlineReport) -> None:
        """Funded patents near or past their conversion deadline are flagged (due, then overdue), and a flag
        whose patent has had a licence or transfer paid is cleared (the aggregates re-check each)."""
        app = self.services.app
        today = app.clock.now().astimezone(BEIJING).date()
        watching = app.conversions.watching(today)
        if not watching:
            return
        rows = funded_patents(self.services.views["catalogue"].datastore, app.conversions.ended_by(today, watching))
        funded = [FundedPatent(r["patent_id"], r["funding"], r["paid"], r["flags"]) for r in rows]
        changed = app.conversions.follow(today, funded, watching)
        if changed:
            report.conversions.extend(changed)
            report.last_position = app.recorder.max_notification_id() or report.last_position

    def _expire_vouchers(self, report: DeadlineReport) -> None:
        """Innovation vouchers past their date (Beijing) expire; their unused value returns to the budget."""
        app = self.services.app
        today = app.clock.now().astimezone(BEIJING).date()
        # Not expired: expired meanwhile (another worker).
        _each(report, vouchers_past_date(self.services.views["programmes"].datastore, today),
              report.vouchers_expired, "voucher %s not expired: %s",
              lambda voucher_id: app.vouchers.expire_voucher(ExpireVoucher(voucher_id=voucher_id)))

    def _expire_patents(self, report: DeadlineReport) -> None:
        """Patents past their statutory term expire on their expiry date (Beijing), their listings suspended."""
        app = self.services.app
        today = app.clock.now().astimezone(BEIJING).date()
        # Not expired: expired, lapsed or withdrawn meanwhile.
        _each(report, patents_past_term(self.services.views["catalogue"].datastore, today),
              report.patents_expired, "patent %s not expired: %s",
              lambda patent_id: app.catalogue.expire_patent(ExpirePatent(patent_id=patent_id)))

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("deadline pass failed; retrying in %s s", self.interval)
            self._stop.wait(self.interval)

    def start(self) -> None:
        """Run in a daemon thread until :meth:`stop`."""

        def target() -> None:
            try:
                self.run_forever()
            except BaseException as exc:  # pragma: no cover - reported by the owner
                self.error = exc
                log.exception("deadline worker stopped")

        self._thread = threading.Thread(target=target, name="deadlines", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop, returning once the thread has ended: a deadline pass in flight finishes first (whoever holds this
        duty's lease gives it back only then, so no other process starts the duty while this one still runs it)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _each(report: DeadlineReport, ids: Iterable[UUID], done: list[UUID], not_done: str,
          act: Callable[[UUID], int | None]) -> None:
    """Act on each id the read model says is due: the aggregate re-checks, so a refusal (it changed meanwhile)
    is logged with ``not_done`` and skipped; an id it changed goes into ``done`` and its position into the
    report (``None``: nothing to do)."""
    for id_ in ids:
        try:
            position = act(id_)
        except DomainError as refusal:
            log.info(not_done, id_, refusal.message)
        else:
            if position is not None:
                done.append(id_)
                report.last_position = position
