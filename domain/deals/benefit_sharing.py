"""Benefit sharing (收益分配) of a received payment: platform fee, broker commission, inventors, seller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.shared.errors import ValidationError

#: Basis points of a whole: 10,000 bp = 100 %.
FULL = 10_000
#: 促进科技成果转化法 (2015 revision) art. 45(1): when the unit has no rule and no agreement, at
#: least 50 % of the net income from transferring or licensing a job-related result goes to the
#: people who made it (see ../shared/data/reference/policy_params.json, inventor_reward_national).
MIN_INVENTOR_SHARE = 5_000


@dataclass(frozen=True)
class Share:
    """One line of the split: who (``party`` and, for an inventor, ``name``) gets ``amount`` minor units.

    ``party`` is ``platform``, ``broker``, ``inventor``, ``institution`` (a university or research
    institute seller) or ``seller`` (any other seller). ``name`` is the inventor's name and empty for
    the organisations, which the contract already identifies.
    """

    party: str
    name: str
    amount: int

    def as_dict(self) -> dict[str, str | int]:
        return {"party": self.party, "name": self.name, "amount": self.amount}


def _check_rate(value: int, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= FULL:
        raise ValidationError(
            f"{field}: must be a whole number of basis points from 0 to 10000", field=field, code="rate.basis_points"
        )


def _check(amount: int, platform_fee_rate: int, broker_commission_rate: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValidationError(
            "amount: must be a non-negative whole number of minor units", field="amount", code="amount.whole"
        )
    _check_rate(platform_fee_rate, "platform_fee_rate")
    _check_rate(broker_commission_rate, "broker_commission_rate")
    if platform_fee_rate + broker_commission_rate > FULL:
        raise ValidationError(
            "broker_commission_rate: platform fee and broker commission together may not exceed 100 %",
            field="broker_commission_rate", code="benefits.fee_and_commission",
        )


def _check_inventor_share(inventor_share: int) -> None:
    _check_rate(inventor_share, "inventor_share")
    if inventor_share < MIN_INVENTOR_SHARE:
        raise ValidationError(
            f"inventor_share: inventors get at least 50.00 % of the net income from a transfer or licence "
            f"(促进科技成果转化法 art. 45), got {inventor_share // 100}.{inventor_share % 100:02d} %",
            field="inventor_share", code="benefits.inventor_minimum",
            got=f"{inventor_share // 100}.{inventor_share % 100:02d}",
        )


def _contributions(inventors: Sequence[tuple[str, int | None]]) -> list[int] | None:
    """The inventors' contribution shares in bp, or ``None`` when none are recorded (equal split)."""
    shares = [share for _, share in inventors]
    if all(share is None for share in shares):
        return None
    recorded = [share for share in shares if share is not None and share > 0]
    if len(recorded) != len(shares) or sum(recorded) != FULL:
        raise ValidationError(
            "inventors: contribution shares must be recorded for every inventor, above 0 % and summing "
            "to 100 %, or for none",
            field="inventors", code="benefits.contributions",
        )
    return recorded


def _inventor_shares(net: int, inventor_share: int, inventors: Sequence[tuple[str, int | None]]) -> list[Share]:
    # Each inventor's amount is floored from the net income directly (not from a floored pool), so
    # at most one fen per inventor is lost to rounding; it goes to the institution with the rest.
    contributions = _contributions(inventors)
    if contributions is None:
        each = net * inventor_share // (FULL * len(inventors))
        return [Share("inventor", name, each) for name, _ in inventors]
    return [
        Share("inventor", name, net * inventor_share * contribution // (FULL * FULL))
        for (name, _), contribution in zip(inventors, contributions, strict=True)
    ]


def settle(
    amount: int,
    *,
    platform_fee_rate: int,
    broker_commission_rate: int,
    inventor_share: int,
    inventors: Sequence[tuple[str, int | None]],
    institution_seller: bool,
) -> list[Share]:
    """Split a received payment of ``amount`` minor units among platform, broker, inventors and seller.

    The platform fee (``platform_fee_rate`` bp) and the broker's commission (``broker_commission_rate``
    bp) are taken from the gross amount; the rest is the seller's net income (净收入). When the seller
    is a university or research institute (``institution_seller``), the inventors get
    ``inventor_share`` bp of the net income — never less than the 50 % of 促进科技成果转化法 (2015) art. 45,
    so a lower share is refused — split by their contribution shares (bp of 10,000; equal when none is
    recorded), and the institution keeps the rest. With no inventor on record the institution keeps
    the whole net income (and owes the reward itself). Any other seller gets the whole net income.

    Every share is floored to the minor unit and every remainder goes to the institution (seller),
    so the shares always sum exactly to ``amount``. Zero shares are left out, except the
    institution's (seller's) line, which always comes last.
    """
    _check(amount, platform_fee_rate, broker_commission_rate)
    platform = Share("platform", "", amount * platform_fee_rate // FULL)
    broker = Share("broker", "", amount * broker_commission_rate // FULL)
    net = amount - platform.amount - broker.amount
    shares = [platform, broker]
    if institution_seller:
        _check_inventor_share(inventor_share)
        if inventors:
            shares.extend(_inventor_shares(net, inventor_share, inventors))
    shares = [share for share in shares if share.amount > 0]
    remainder = amount - sum(share.amount for share in shares)
    shares.append(Share("institution" if institution_seller else "seller", "", remainder))
    return shares
