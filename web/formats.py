"""How pages print values: amounts of money and days and instants (in Beijing time); shared by templates and
refusals (``web.refusals``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def money(fen: int | None, lang: str = "zh", currency: str = "CNY", unit: str | None = None) -> str:
    """An amount in fen as a person reads it: 万元 in Chinese where customary, CNY 1,200,000 in English.

    ``unit="yuan"``: always in yuan (元), for a column of amounts read and added up in one unit.
    """
    if fen is None:
        return ""
    yuan = fen / 100
    if lang != "zh" or currency != "CNY":
        return f"{currency} {yuan:,.2f}".replace(".00", "")
    if yuan >= 10_000 and unit != "yuan":
        return f"{yuan / 10_000:,.2f} 万元".replace(".00 ", " ")
    return f"{yuan:,.2f} 元"


#: The time zone pages show instants in (stored in UTC): the marketplace's users are in Fujian.
BEIJING = ZoneInfo("Asia/Shanghai")


def shown_day(value: date | datetime | None) -> str:
    """A day as ``YYYY-MM-DD``; an instant in Beijing time to the minute (a naive one is taken as UTC)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()
