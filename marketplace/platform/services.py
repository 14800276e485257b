"""Composition root: builds the event store, application, read-model views and runner from settings."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import TrackingRecorder
from eventsourcing.postgres import PostgresApplicationRecorder

from domain.catalogue.ipc import IpcScheme
from marketplace.catalogue.ipc_scheme import default_ipc_scheme
from marketplace.deals.checks import DealPolicy
from marketplace.deals.gateways.factory import build_gateways
from marketplace.demand.storage import FileMaterialStore
from marketplace.platform.application import Marketplace
from marketplace.platform.database import DatabaseAddress, resolve_database
from marketplace.platform.leases import LeasedProjections
from marketplace.platform.migrate import apply_migrations, schema_lock
from marketplace.platform.settings import Settings
from marketplace.programmes.claims_process import tracking_recorder
from projections.accounts.credentials import PostgresCredentialsView
from projections.accounts.view import PostgresAccountsView
from projections.auctions.view import PostgresAuctionsView
from projections.audit.chain import PostgresAuditChainView
from projections.audit.log import PostgresAuditLogView
from projections.catalogue.view import PostgresCatalogueView
from projections.deals.view import PostgresDealsView
from projections.demand.demands_view import PostgresDemandsView
from projections.demand.matching import PostgresMatchingView
from projections.demand.view import PostgresDemandView
from projections.market.brokers import PostgresBrokersView
from projections.market.packages import PostgresPackagesView
from projections.market.statistics import PostgresMarketStatisticsView
from projections.market.view import PostgresMarketView
from projections.notifications.view import PostgresNotificationsView
from projections.programmes.conversions import PostgresConversionsView
from projections.programmes.related import PostgresRelatedPartiesView
from projections.programmes.view import PostgresProgrammesView
from projections.runner import BatchProjectionRunner
from projections.shared.base import PostgresReadModelView
from projections.shared.health import ReadModelHealth, status_statement
from projections.valuation.view import PostgresValuationView

log = logging.getLogger(__name__)

VIEW_CLASSES: dict[str, type[PostgresReadModelView]] = {
    "accounts": PostgresAccountsView,
    "catalogue": PostgresCatalogueView,
    "audit_log": PostgresAuditLogView,
    "audit_chain": PostgresAuditChainView,
    "deals": PostgresDealsView,
    "valuation": PostgresValuationView,
    "credentials": PostgresCredentialsView,
    "programmes": PostgresProgrammesView,
    "conversions": PostgresConversionsView,
    "related_parties": PostgresRelatedPartiesView,
    "demand": PostgresDemandView,
    "demands": PostgresDemandsView,
    "matching": PostgresMatchingView,
    "market": PostgresMarketView,
    "market_statistics": PostgresMarketStatisticsView,
    "brokers": PostgresBrokersView,
    "auctions": PostgresAuctionsView,
    "market_packages": PostgresPackagesView,
    # Last: it reads the accounts, catalogue and demand rows the views above wrote for the same page.
    "notifications": PostgresNotificationsView,
}


@dataclass
class Services:
    """Everything a process needs, wired once; ``close()`` releases it."""

    settings: Settings
    address: DatabaseAddress
    app: Marketplace
    ipc_scheme: IpcScheme | None
    views: dict[str, PostgresReadModelView] = field(default_factory=dict)
    #: The claims process's tracking recorder, its table made at start-up under the schema lock (``ClaimsProcess``).
    claims_tracking: TrackingRecorder | None = None
    #: The in-process projections (``start_projections``), if running.
    runner: LeasedProjections | None = None

    @property
    def recorder(self) -> PostgresApplicationRecorder:
        recorder = self.app.recorder
        assert isinstance(recorder, PostgresApplicationRecorder)
        return recorder

    def make_runner(self, names: list[str] | None = None, page_size: int = 1000) -> BatchProjectionRunner:
        views = [self.views[n] for n in (names or list(self.views))]
        return BatchProjectionRunner(
            application_name=self.app.name, recorder=self.recorder, views=views, page_size=page_size,
            health=self.health,
        )

    @property
    def health(self) -> ReadModelHealth:
        """The record of read models stopped at an event they cannot apply (``read_model_health``)."""
        return ReadModelHealth(self.recorder.datastore, self.app.name)

    def health_statement(self) -> str:
        """The SQL that reads every read model's status (``projections.shared.health``)."""
        tracking = {name: view.tracking_table_name for name, view in self.views.items()}
        return status_statement(tracking, self.recorder.events_table_name, self.app.name)

    def start_projections(self) -> None:
        """Run the read models in this process as one projection worker under leases (``leases``), taking the
        read models no other worker holds: any number of processes may do so next to ``run-projections``
        workers. It runs no duty (deadlines, mail): those are ``run-projections``' and ``serve``'s."""
        self.runner = LeasedProjections(conninfo=self.address.conninfo(), application_name=self.app.name,
                                        view_names=list(self.views), make_runner=self.make_runner, run_duties=False)
        self.runner.start()

    def close(self) -> None:
        if self.runner is not None:
            self.runner.stop()
        self.app.close()


def build_services(settings: Settings, **overrides: Any) -> Services:
    """Resolve the database (embedded by default), migrate, and wire the application and views."""
    address: DatabaseAddress = overrides.get("address") or resolve_database(settings.database_url, settings.data_dir)
    env = address.eventsourcing_env() | {
        "POSTGRES_LOCK_TIMEOUT": str(settings.lock_timeout_seconds),
        "POSTGRES_POOL_SIZE": str(settings.pool_size),
    }
    scheme = overrides.get("ipc_scheme")
    if scheme is None and "ipc_scheme" not in overrides and settings.ipc_scheme_path.exists():
        scheme = default_ipc_scheme(settings.ipc_scheme_path)
    elif scheme is None and "ipc_scheme" not in overrides:
        log.warning("IPC scheme %s not found: IPC codes are checked for form only", settings.ipc_scheme_path)
    # Processes started at once (web workers, projection workers) take turns to change the schema and to upgrade
    # old accounts, so that no two of them create the same table or function, or write the same account, at once.
    with schema_lock(address.conninfo()) as conn:
        apply_migrations(conn)
        app = Marketplace(
            env,
            ipc_scheme=scheme,
            clock=overrides.get("clock"),
            gateways=overrides.get("gateways") or build_gateways(settings),
            deal_policy=DealPolicy(platform_fee_rate=settings.platform_fee_rate, notice_days=settings.notice_days),
            materials=overrides.get("materials") or FileMaterialStore(settings.materials_path),
        )
        try:
            datastore = app.recorder.datastore  # type: ignore[attr-defined]
            views = {name: cls(datastore) for name, cls in VIEW_CLASSES.items()}
            for view in views.values():
                view.create_table()
            claims_tracking = tracking_recorder(app.programmes)
            adopted, revoked = app.accounts.upgrade_old_accounts()
        except BaseException:
            with contextlib.suppress(Exception):  # the start-up's own error is the one to report
                app.close()  # a start-up that fails here leaves no pool of connections open behind it
            raise
    if adopted or revoked:
        log.warning("accounts of old events: personal data of %d copied into the personal-data store; %d platform-wide"
                    " role(s) granted without a platform admin revoked, awaiting confirmation", adopted, revoked)
    return Services(settings=settings, address=address, app=app, ipc_scheme=scheme, views=views,
                    claims_tracking=claims_tracking)
