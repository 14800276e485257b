"""The site's vocabulary: the site's own labels and each trade's, passed explicitly (one text per key)."""

from __future__ import annotations

from web.accounts.labels import LABELS as ACCOUNT_LABELS
from web.auctions.labels import LABELS as AUCTION_LABELS
from web.audit.labels import LABELS as AUDIT_LABELS
from web.catalogue.labels import LABELS as CATALOGUE_LABELS
from web.deals.development_labels import LABELS as DEVELOPMENT_LABELS
from web.deals.labels import LABELS as DEAL_LABELS
from web.demand.clarify_labels import LABELS as CLARIFY_LABELS
from web.demand.demand_labels import LABELS as DEMANDS_LABELS
from web.demand.labels import LABELS as DEMAND_LABELS
from web.demand.matching_labels import LABELS as MATCHING_LABELS
from web.health import LABELS as HEALTH_LABELS
from web.i18n import SITE_LABELS, Vocabulary
from web.market.broker_labels import LABELS as BROKER_LABELS
from web.market.labels import LABELS as MARKET_LABELS
from web.market.open_data_labels import LABELS as OPEN_DATA_LABELS
from web.market.package_labels import LABELS as PACKAGE_LABELS
from web.market.statistics_labels import LABELS as STATISTICS_LABELS
from web.notifications.labels import LABELS as NOTIFICATION_LABELS
from web.programmes.agency_labels import LABELS as AGENCY_SUBSIDY_LABELS
from web.programmes.conversion_labels import LABELS as CONVERSION_LABELS
from web.programmes.labels import LABELS as PROGRAMME_LABELS
from web.refusals import REFUSAL_LABELS
from web.throttle import LABELS as THROTTLE_LABELS
from web.todo import LABELS as TODO_LABELS
from web.valuation.labels import LABELS as VALUATION_LABELS


def site_vocabulary() -> Vocabulary:
    """Every page's labels; a key two trades define with different texts is refused (``DuplicateLabelError``)."""
    return Vocabulary(
        SITE_LABELS,
        ACCOUNT_LABELS,
        CATALOGUE_LABELS,
        DEAL_LABELS,
        DEVELOPMENT_LABELS,
        VALUATION_LABELS,
        AUDIT_LABELS,
        HEALTH_LABELS,
        THROTTLE_LABELS,
        PROGRAMME_LABELS,
        CONVERSION_LABELS,
        AGENCY_SUBSIDY_LABELS,
        DEMAND_LABELS,
        CLARIFY_LABELS,
        DEMANDS_LABELS,
        MATCHING_LABELS,
        MARKET_LABELS,
        BROKER_LABELS,
        OPEN_DATA_LABELS,
        STATISTICS_LABELS,
        TODO_LABELS,
        NOTIFICATION_LABELS,
        AUCTION_LABELS,
        PACKAGE_LABELS,
        REFUSAL_LABELS,
    )
