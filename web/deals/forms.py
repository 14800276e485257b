"""Deal forms to commands: the offer and counter form's terms (amounts in yuan, rates in %), and running
the command a form posted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, ValidationError
from web.commands import run_command
from web.context import Identity
from web.errors import error_page
from web.forms import optional, text, yuan_to_fen
from web.state import WebState

R = TypeVar("R")
C = TypeVar("C")


def percent_text(value: str | None, field: str) -> float:
    if not value:
        return 0.0
    try:
        return float(value)
    except ValueError:
        raise ValidationError(f"{field}: must be a percentage such as 5 or 2.5", field=field,
                              code="percentage") from None


def terms_fields(form: FormMultiDict) -> dict[str, Any]:
    """Deal terms as typed in the offer or counter form (prices in yuan, rates in %, validity in days)."""
    kind = text(form, "kind")
    terms: dict[str, Any] = {
        "kind": kind,
        "price": yuan_to_fen(optional(form, "price"), "price") or 0,
        "currency": "CNY",
        "note": text(form, "note"),
        "valid_days": optional(form, "valid_days") or 14,
    }
    if kind != "assignment":
        terms["scope"] = {
            "field_of_use": text(form, "field_of_use"),
            "territory": text(form, "territory"),
            "start": optional(form, "start"),
            "end": optional(form, "end"),
        }
        terms["royalty_rate"] = percent_text(optional(form, "royalty_rate"), "royalty_rate")
        terms["sublicensable"] = bool(form.get("sublicensable"))
        terms["minimum_annual_royalty"] = yuan_to_fen(optional(form, "minimum_annual_royalty"),
                                                      "minimum_annual_royalty") or 0
        terms["milestones"] = [{"name": name, "amount": amount}
                               for name, amount in amount_lines(text(form, "milestones"), "milestones")]
    terms["instalments"] = [{"due": due or None, "amount": amount}
                            for due, amount in amount_lines(text(form, "instalments"), "instalments")]
    return terms


def amount_lines(value: str, field: str) -> list[tuple[str, int]]:
    """Lines of ``label = amount in yuan`` (``=``, ``:`` or ``：``); a blank label stays blank."""
    found: list[tuple[str, int]] = []
    for number, line in enumerate((x.strip() for x in value.splitlines()), start=1):
        if not line:
            continue
        cut = max(line.rfind(sep) for sep in ("=", ":", "："))
        if cut < 0:
            raise ValidationError(f"{field}: line {number} must read 'label = amount in yuan'", field=field,
                                  code="lines.format", line=number)
        label, amount = line[:cut].strip(), yuan_to_fen(line[cut + 1:], f"{field}.{number - 1}")
        if amount is None:
            raise ValidationError(f"{field}: line {number} has no amount", field=field, code="lines.amount",
                                  line=number)
        found.append((label, amount))
    return found


async def form_command(
    request: Request[Any, Any, Any], web: WebState, me: Identity, command: Callable[..., R], build: Callable[[], C],
    target: str | Callable[[R], str],
) -> Template | Redirect:
    """Run the command a form posted (``build`` reads the form) as ``me``, then go to ``target``;
    a refusal shows its status and the rule it broke."""
    try:
        result = await run_command(web, command, build(), me)
    except DomainError as error:
        return error_page(request, error)
    return Redirect(target if isinstance(target, str) else target(result), status_code=303)
