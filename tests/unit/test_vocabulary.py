"""The site's vocabulary: every trade's labels passed in explicitly, one text per key."""

from __future__ import annotations

import pytest

from projections.audit.log import KNOWN_AGGREGATE_TYPES
from web.i18n import DuplicateLabelError, Vocabulary
from web.vocabulary import site_vocabulary


def test_the_site_vocabulary_has_every_trades_labels_and_no_key_twice_with_two_texts() -> None:
    t = site_vocabulary().translator("en")
    assert t("site.name") == "Fujian Patent Marketplace"  # the site's own
    assert t("account.password") == "Change password"  # accounts
    assert t("registration.withdrawn") == "Registration withdrawn"  # catalogue
    assert t("offer.status.accepted") == "Accepted"  # deals
    assert t("valuation.title") == "Valuation"  # valuation
    assert t("side.buyer") == "buyer"  # one text, whichever page asks
    assert site_vocabulary().translator("zh")("throttle.wait", seconds=3) == "尝试次数过多，请 3 秒后再试。"


def test_two_label_sets_that_give_one_key_two_texts_are_refused_not_resolved_by_import_order() -> None:
    with pytest.raises(DuplicateLabelError, match=r"side\.buyer"):
        Vocabulary({"side.buyer": ("买方", "buyer")}, {"side.buyer": ("买方", "Buyer")})
    same = Vocabulary({"k": ("甲", "A")}, {"k": ("甲", "A")})
    assert same.translator("zh")("k") == "甲"
    assert same.translator("en")("unknown.key") == "unknown.key"


def test_every_kind_of_record_the_audit_log_knows_has_a_name_in_both_languages() -> None:
    labels = site_vocabulary().labels
    missing = [kind for kind in KNOWN_AGGREGATE_TYPES if f"audit.type.{kind}" not in labels]
    assert missing == []
    assert labels["audit.type.PaymentObligation"] == ("付款义务", "Payment obligation")
