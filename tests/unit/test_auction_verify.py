"""The auction verifiers (``domain.auctions.verify`` behind ``marketplace auction verify``, and the stdlib script
``docs/verify_auction.py``) replay a timed lot's proxy bids: every bid marked ``proxy`` must be the very answer the
proxy rule gives from the maxima (``Lot.ProxySet``) set before it, and no answer the rule owes may be missing. A
forged export — a proxy bid with no maximum behind it, above its maximum, not the least raise, or a suppressed
answer — fails both."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import pytest

from domain.auctions.verify import verify_lot
from marketplace.auctions import commands as ac
from tests.unit.deal_helpers import World, make_world
from tests.unit.test_auctions import bid, three_bidders_lot

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_auction.py"
META = ("originator_id", "originator_version", "timestamp", "originator_topic")
Events = list[tuple[str, dict[str, Any]]]


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_auction", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _text(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def as_plain(stored: Iterable[object]) -> Events:
    """Domain events as an export gives them to the verifiers: (event name, plain data)."""
    return [(type(e).__name__, {k: _text(v) for k, v in vars(e).items() if k not in META}) for e in stored]


def plain_events(world: World, lot_id: UUID) -> Events:
    """The lot's events as an export gives them to the verifiers."""
    return as_plain(world.app.repository.event_store.get(lot_id))


def proxied_lot(world: World) -> tuple[UUID, Events]:
    """Three bidders, two proxy maxima (1.5 million fen each: the earlier holds), a manual bid above both; closed."""
    lot_id = three_bidders_lot(world)
    world.app.auctions.set_proxy(ac.SetProxyBid(lot_id=lot_id, maximum=1_500_000), actor_id=world["firm"])
    bid(world, "rival", lot_id, 1_100_000)  # answered by the firm's proxy at 1 200 000
    world.app.auctions.set_proxy(ac.SetProxyBid(lot_id=lot_id, maximum=1_500_000), actor_id=world["rival"])
    bid(world, "third", lot_id, 1_700_000)
    world.clock.advance(timedelta(hours=2))
    world.app.auctions.close(ac.CloseLot(lot_id=lot_id))
    return lot_id, plain_events(world, lot_id)


def both(script: ModuleType, lot_id: UUID, events: Events) -> tuple[list[str], str]:
    """The problems ``marketplace auction verify`` finds, and the script's line (it fails when its problems do)."""
    agrees, said = script.verify_lot(str(lot_id), events)
    verdict = verify_lot(events, str(lot_id))
    assert agrees == verdict.ok, (said, verdict.problems)
    return verdict.problems, said


def proxy_bids(events: Events) -> list[int]:
    return [i for i, (name, d) in enumerate(events) if name == "BidPlaced" and d["proxy"]]


def test_an_honest_lot_with_proxy_bids_verifies(script: ModuleType) -> None:
    world = make_world()
    lot_id, events = proxied_lot(world)
    assert [d["amount"] for name, d in events if name == "BidPlaced"] == [1_000_000, 1_100_000, 1_200_000,
                                                                          1_500_000, 1_700_000]
    problems, said = both(script, lot_id, events)
    assert problems == []
    assert said.endswith(f"recomputed winner {world['third_org']}, price 1700000")


def test_a_proxy_bid_without_a_maximum_behind_it_fails(script: ModuleType) -> None:
    world = make_world()
    lot_id, events = proxied_lot(world)
    firm = str(world["firm_org"])
    forged = [(n, d) for n, d in events if not (n == "ProxySet" and d["organisation_id"] == firm)]
    problems, said = both(script, lot_id, forged)
    assert "bid 1: a proxy bid no proxy maximum (ProxySet) owes" in problems
    assert "bid 1: a proxy bid no proxy maximum (ProxySet) owes" in said


def test_a_proxy_bid_above_its_maximum_or_above_the_least_raise_fails(script: ModuleType) -> None:
    world = make_world()
    lot_id, events = proxied_lot(world)
    firm = str(world["firm_org"])
    answer = proxy_bids(events)[1]  # the firm's proxy answering the rival's 1 100 000
    for amount in (1_400_000, 1_600_000):  # below its maximum but not the least raise; above its maximum
        forged = list(events)
        forged[answer] = ("BidPlaced", {**events[answer][1], "amount": amount})
        problems, said = both(script, lot_id, forged)
        expected = f"bid 3: a proxy bid of {amount} for {firm}; the proxy maxima set give 1200000 for {firm}"
        assert expected in problems
        assert expected in said
    lowered = [("ProxySet", {**d, "maximum": 1_100_000}) if n == "ProxySet" and d["organisation_id"] == firm
               else (n, d) for n, d in events]  # the firm's maximum below the proxy bids made for it
    problems, _ = both(script, lot_id, lowered)
    assert "bid 3: a proxy bid no proxy maximum (ProxySet) owes" in problems  # 1 200 000 is above 1 100 000


def test_an_answer_the_proxy_rule_owes_cannot_be_left_out(script: ModuleType) -> None:
    world = make_world()
    lot_id, events = proxied_lot(world)
    answer = proxy_bids(events)[1]
    forged = events[:answer] + events[answer + 1:]  # the rival's 1 100 000 left unanswered
    problems, said = both(script, lot_id, forged)
    expected = f"after bid 2: the proxy rule bids 1200000 for {world['firm_org']}, and no such proxy bid follows"
    assert expected in problems
    assert expected in said


def test_published_roots_are_read_from_a_value_the_api_or_the_roots_command(script: ModuleType,
                                                                           tmp_path: Path) -> None:
    """``--root`` takes POSITION:HASH, the JSON of GET /api/audit/roots or the lines of ``marketplace audit roots``;
    a day's root is used once that UTC day has ended (the API's ``final``, else the day before today)."""
    from marketplace.audit.auction_cli import Root, parse_roots

    a, b, c = "a" * 64, "b" * 64, "c" * 64
    api = tmp_path / "roots.json"
    api.write_text(json.dumps({"items": [{"day": "2026-12-05", "position": 30, "hash": c, "final": False},
                                         {"day": "2026-12-04", "position": 20, "hash": b, "final": True}],
                               "total": 2}))
    lines = tmp_path / "roots.txt"
    lines.write_text(f"2026-12-03        10  {a}\n2026-12-05        30  {c}\n")
    today = date(2026, 12, 5)
    roots, notes = parse_roots([f"5:{a}", str(api), str(lines)], today=today)
    assert roots == [Root(5, a), Root(20, b, "2026-12-04"), Root(10, a, "2026-12-03")]
    assert notes == ["the root of 2026-12-05 is not final (its UTC day has not ended): not used"] * 2
    found, said = script.read_roots([f"5:{a}", str(api), str(lines)], today)
    assert found == {5: a, 20: b, 10: a}
    assert len(said) == 2
    for bad in ("5:xyz", "0:" + a):
        with pytest.raises(ValueError, match="not a root"):
            parse_roots([bad], today=today)
        with pytest.raises(ValueError, match="not a root"):
            script.read_roots([bad], today)
