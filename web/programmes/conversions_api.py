"""Time-limited conversion in the JSON API: the public overdue list, the officer's queue, the owner's flags,
one flag, and the owner's and the officer's commands. Conversion programmes are drafted through
``POST /api/programmes`` with kind ``conversion`` and ``rules.conversion``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import Parameter

from domain.shared.money import MAX_AMOUNT
from marketplace.platform.application import Marketplace
from marketplace.programmes import conversion_commands as vc
from projections.programmes.conversion_queries import ConversionRow, ConversionsQueries
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.commands import run_command
from web.context import Identity
from web.programmes.conversions import readable
from web.programmes.pages import officer_of
from web.state import WebState


class ConversionCollection(msgspec.Struct, frozen=True):
    """Flags of funded patents, ``total`` of them in all."""

    items: list[ConversionRow]
    total: int


class AnswerInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The owner's answer: ``plan`` or ``deal_in_progress``, what it is, and (optionally) the offer or contract."""

    kind: Annotated[str, msgspec.Meta(extra_json_schema={"enum": ["plan", "deal_in_progress"]})]
    text: str
    reference: str = ""


class ResumeInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str


class OpenInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How the officer opens an overdue patent: ``open_licence`` (anyone verified) or ``designated`` (the
    ``licensee_ids`` only), on these terms (fee in fen, royalty in basis points of net sales)."""

    mode: Annotated[str, msgspec.Meta(extra_json_schema={"enum": ["open_licence", "designated"]})]
    legal_basis: str
    reason: str
    fee: Annotated[int, msgspec.Meta(ge=0, le=MAX_AMOUNT)] = 0
    royalty_rate: Annotated[int, msgspec.Meta(ge=0, le=9_999)] = 0
    term_years: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    maturity: Annotated[str, msgspec.Meta(
        extra_json_schema={"enum": ["concept", "prototype", "pilot", "industrialised"]})] = "prototype"
    licensee_ids: list[UUID] = msgspec.field(default_factory=list)


Limit = Annotated[int, Parameter(ge=1, le=200)]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]


class ConversionsApiController(Controller):
    path = "/api"
    tags = ["conversions"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/conversions/overdue", summary="Funded patents overdue for conversion, or opened to others (public)")
    async def overdue(self, conversions: ConversionsQueries, limit: Limit = 50,
                      offset: Offset = 0) -> ConversionCollection:
        rows, total = await conversions.overdue(limit=limit, offset=offset)
        return ConversionCollection(rows, total)

    @get("/conversions", summary="My department's conversion flags (programme officer)", security=BEARER)
    async def queue(self, web: WebState, conversions: ConversionsQueries, me: Identity) -> ConversionCollection:
        if not await officer_of(web, me):
            raise PermissionDeniedException("this needs the role programme_officer")
        rows = await conversions.queue(me.organisation_id)
        return ConversionCollection(rows, len(rows))

    @get("/my/conversions", summary="My organisation's funded patents' conversion flags", security=BEARER)
    async def mine(self, conversions: ConversionsQueries, me: Identity) -> ConversionCollection:
        rows = await conversions.of_owner(me.organisation_id)
        return ConversionCollection(rows, len(rows))

    @get("/conversions/{conversion_id:uuid}", summary="One conversion flag (public once overdue)",
         security=OPTIONAL_BEARER)
    async def conversion(self, conversion_id: UUID, web: WebState, conversions: ConversionsQueries,
                         maybe_me: Identity | None) -> ConversionRow:
        return (await readable(web, conversions, maybe_me, conversion_id))[0]

    @post("/conversions/{conversion_id:uuid}/answer", status_code=200, security=BEARER,
          summary="Answer a flag with a conversion plan or a deal in progress (the owner's members); it pauses")
    async def answer(self, conversion_id: UUID, data: AnswerInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = vc.AnswerConversion(conversion_id=conversion_id, kind=data.kind, text=data.text,
                                  reference=data.reference)
        return Done(await run_command(web, marketplace.conversions.answer_conversion, cmd, me))

    @post("/conversions/{conversion_id:uuid}/resume", status_code=200, security=BEARER,
          summary="Resume a paused flag with a reason (the department's programme officer)")
    async def resume(self, conversion_id: UUID, data: ResumeInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = vc.ResumeConversion(conversion_id=conversion_id, reason=data.reason)
        return Done(await run_command(web, marketplace.conversions.resume_conversion, cmd, me))

    @post("/conversions/{conversion_id:uuid}/open", status_code=201, security=BEARER,
          summary="Open an overdue patent to others: an open licence (or designated licensees) on the officer's "
                  "terms, under the recorded legal basis; answers the declaration's listing")
    async def open(self, conversion_id: UUID, data: OpenInput, web: WebState, marketplace: Marketplace,
                   me: Identity) -> Created:
        cmd = vc.OpenConversion(conversion_id=conversion_id, **msgspec.structs.asdict(data))
        listing_id, position = await run_command(web, marketplace.conversions.open_conversion, cmd, me)
        return Created(listing_id, position)
