"""Achievement packages (科技成果包): ``/packages``, each package's page with what changed since the previous edition,
its printable version, the curator's forms, following, and the JSON API (``/api/packages``).

Published packages are public; a package not published yet is seen by its curator organisation's members only
(404 for others). Every form posts the command the JSON API takes; the application checks who acts on the
aggregates (the curator organisation's programme officers or agency members edit; any logged-in user follows).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import FormMultiDict
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from domain.shared.errors import DomainError, PermissionDeniedError
from marketplace.market import package_commands as pk
from marketplace.platform.application import Marketplace
from projections.market.package_queries import EditionRow, PackageListingRow, PackageRow, PackagesQueries
from web.answers import Created, Done
from web.api_docs import BEARER, OPTIONAL_BEARER
from web.commands import run_command
from web.context import Identity, page_context
from web.errors import error_page, explain, status_of
from web.formats import BEIJING
from web.forms import text, to_command
from web.identity import login_required
from web.state import WebState

DONE = {k: f"package.done.{k}" for k in ("saved", "scheduled", "unscheduled", "followed", "unfollowed", "seen")}
_SPLIT = re.compile(r"[\s,，;；]+")


class PackageOut(msgspec.Struct, frozen=True, kw_only=True):
    """A package: ``package`` its next edition as the curator works on it (``edition``: the latest published
    number), ``editions`` the published ones, latest first (each with what it added and dropped), and
    ``listings`` every listing they name as it stands now (``status`` ``withdrawn`` or ``closed``: sold)."""

    package: PackageRow
    editions: list[EditionRow]
    listings: list[PackageListingRow]
    following: bool
    seen_edition: int


class PackagesOut(msgspec.Struct, frozen=True):
    """Published packages (and, for a curator, its organisation's unpublished ones)."""

    packages: list[PackageRow]


class PackageInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The next edition's content: titles, descriptions (Chinese and/or English), industry, listings."""

    title_zh: str = ""
    title_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    industry: str = ""
    listing_ids: list[UUID] = msgspec.field(default_factory=list)


class ScheduleInput(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The day (Beijing) the next edition is published on."""

    publish_on: date


def _ids(value: str) -> list[str]:
    return [part for part in _SPLIT.split(value) if part]


def chosen_ids(form: FormMultiDict) -> list[str]:
    """The listings the form names: the picker's ticked boxes (``listing_id``, in their order), then any ids a
    script sent as text (``listing_ids``), each once."""
    ticked = [str(v).strip() for v in form.getall("listing_id", []) if str(v).strip()]
    return list(dict.fromkeys([*ticked, *_ids(text(form, "listing_ids"))]))


def package_fields(form: FormMultiDict) -> dict[str, Any]:
    return {"title_zh": text(form, "title_zh"), "title_en": text(form, "title_en"),
            "description_zh": text(form, "description_zh"), "description_en": text(form, "description_en"),
            "industry": text(form, "industry"), "listing_ids": chosen_ids(form)}


@dataclass(frozen=True)
class Picker:
    """The curator's listing picker: the listings chosen (ticked; untick to drop), and the published listings
    a search by title or patent number found (tick to add)."""

    chosen: list[PackageListingRow]
    found: list[PackageListingRow]
    query: str
    searched: bool


async def picker(queries: PackagesQueries, chosen: list[str], query: str = "", searched: bool = False,
                 keep: Iterable[UUID] = ()) -> Picker:
    """The picker's ticked listings and what its search found. A ticked id is shown only if its listing is
    published or already in the package (``keep``): a form naming any id must not show another organisation's
    draft, withdrawn or suspended listing."""
    ids = [UUID(i) for i in chosen if _is_uuid(i)]
    kept_ids = set(keep)
    rows = {i: row for i, row in (await queries.listings(ids)).items() if row.status == "published" or i in kept_ids}
    found = await queries.find_published(query) if query.strip() else []
    kept = set(ids)
    return Picker(chosen=[rows[i] for i in ids if i in rows], found=[x for x in found if x.id not in kept],
                  query=query, searched=searched)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


async def visible_package(queries: PackagesQueries, me: Identity | None, package_id: UUID) -> PackageRow:
    """The package, unless it is not published and the reader is not of its curator organisation."""
    row = await queries.get(package_id)
    if row is None or (row.edition == 0 and (me is None or me.organisation_id != row.organisation_id)):
        raise NotFoundException(f"package_id: no package with id {package_id}")
    return row


async def package_out(queries: PackagesQueries, me: Identity | None, package_id: UUID) -> PackageOut:
    row = await visible_package(queries, me, package_id)
    editions = await queries.editions(package_id)
    curator = me is not None and me.organisation_id == row.organisation_id
    named = [i for e in editions for i in (*e.listing_ids, *e.dropped)] + (list(row.listing_ids) if curator else [])
    found = await queries.listings(list(dict.fromkeys(named)))
    following, seen = await queries.following(package_id, me.user_id) if me is not None else (False, 0)
    return PackageOut(package=row, editions=editions, listings=list(found.values()), following=following,
                      seen_edition=seen)


@dataclass(frozen=True)
class PackageView:
    """What the package page shows: the latest edition (or, unpublished, the draft) and its listings."""

    out: PackageOut
    curator: bool

    @property
    def latest(self) -> EditionRow | None:
        return self.out.editions[0] if self.out.editions else None

    @property
    def by_id(self) -> dict[UUID, PackageListingRow]:
        return {x.id: x for x in self.out.listings}

    def title(self, lang: str) -> str:
        source: EditionRow | PackageRow = self.latest or self.out.package
        return (source.title_en or source.title_zh) if lang == "en" else (source.title_zh or source.title_en)

    def description(self, lang: str) -> str:
        source: EditionRow | PackageRow = self.latest or self.out.package
        return (source.description_en or source.description_zh) if lang == "en" else (
            source.description_zh or source.description_en)


def listing_title(row: PackageListingRow | None, lang: str) -> str:
    if row is None:
        return ""
    return (row.title_en or row.title_zh) if lang == "en" else (row.title_zh or row.title_en)


class PackagePagesController(Controller):
    include_in_schema = False

    @get("/packages", name="packages")
    async def index(self, request: Request[Any, Any, Any], web: WebState, maybe_me: Identity | None) -> Template:
        curator = maybe_me.organisation_id if maybe_me else None
        rows = await PackagesQueries(web.pool).index(curator=curator)
        return Template("market/packages.html.jinja2", context=page_context(request, packages=rows))

    @get("/packages/new", name="package_new", guards=[login_required])
    async def new(self, request: Request[Any, Any, Any], web: WebState) -> Template:
        return self._form(request, picker=await picker(PackagesQueries(web.pool), []))

    @staticmethod
    def _form(request: Request[Any, Any, Any], status_code: int = 200, **values: Any) -> Template:
        values.setdefault("form", {})
        return Template("market/package_new.html.jinja2", status_code=status_code, context=page_context(
            request, package_id=values.pop("package_id", None) or uuid.uuid4(), listing_title=listing_title, **values))

    @post("/packages", guards=[login_required])
    async def create(self, request: Request[Any, Any, Any], web: WebState, me: Identity,
                     marketplace: Marketplace) -> Template | Redirect:
        form = await request.form()
        chosen = await picker(PackagesQueries(web.pool), chosen_ids(form), text(form, "find_text"),
                              searched=bool(text(form, "find")))
        if chosen.searched:  # the picker's search: the form again, as filled in, with what it found
            return self._form(request, form=dict(form), picker=chosen, package_id=text(form, "package_id") or None)
        try:
            cmd = to_command(pk.DraftPackage, {**package_fields(form), "package_id": text(form, "package_id") or None})
            package_id, _ = await run_command(web, marketplace.packages.draft_package, cmd, me)
        except PermissionDeniedError as error:
            return error_page(request, error)
        except DomainError as error:
            return self._form(request, status_code=status_of(error), error=explain(request, error),
                              form=dict(form), picker=chosen, package_id=text(form, "package_id") or None)
        return Redirect(f"/packages/{package_id}?done=saved", status_code=303)

    @get("/packages/{package_id:uuid}", name="package")
    async def detail(self, package_id: UUID, request: Request[Any, Any, Any], web: WebState,
                     maybe_me: Identity | None) -> Template:
        return await self._page(request, web, maybe_me, package_id)

    @staticmethod
    async def _page(request: Request[Any, Any, Any], web: WebState, me: Identity | None, package_id: UUID,
                    status_code: int = 200, template: str = "market/package.html.jinja2", **values: Any) -> Template:
        queries = PackagesQueries(web.pool)
        out = await package_out(queries, me, package_id)
        view = PackageView(out, curator=me is not None and me.organisation_id == out.package.organisation_id)
        now = web.services.app.clock.now()
        if view.curator and "picker" not in values:
            values["picker"] = await picker(queries, [str(i) for i in out.package.listing_ids],
                                            keep=out.package.listing_ids)
        return Template(template, status_code=status_code, context=page_context(
            request, v=view, p=out.package, listing_title=listing_title, printed_at=now.astimezone(BEIJING),
            done=DONE.get(request.query_params.get("done", "")), form=values.pop("form", {}), **values))

    @get("/packages/{package_id:uuid}/print", name="package_print")
    async def printable(self, package_id: UUID, request: Request[Any, Any, Any], web: WebState,
                        maybe_me: Identity | None) -> Template:
        return await self._page(request, web, maybe_me, package_id, template="market/package_print.html.jinja2")

    @post("/packages/{package_id:uuid}/{action:str}", guards=[login_required])
    async def act(self, package_id: UUID, action: str, request: Request[Any, Any, Any], web: WebState,
                  me: Identity, marketplace: Marketplace) -> Template | Redirect:
        """``edit``, ``schedule``, ``unschedule`` (the curator's), ``follow``, ``unfollow``, ``seen``."""
        package = await visible_package(PackagesQueries(web.pool), me, package_id)
        form = await request.form()
        ids = {"package_id": package_id}
        chosen = await picker(PackagesQueries(web.pool), chosen_ids(form), text(form, "find_text"),
                              searched=action == "edit" and bool(text(form, "find")),
                              keep=package.listing_ids if me.organisation_id == package.organisation_id else ())
        if chosen.searched:  # the picker's search: the form again, as filled in, with what it found
            return await self._page(request, web, me, package_id, form=dict(form), picker=chosen)
        packages = marketplace.packages
        actions: dict[str, tuple[Any, type[Any], dict[str, Any], str]] = {
            "edit": (packages.revise_package, pk.RevisePackage, package_fields(form), "saved"),
            "schedule": (packages.schedule_package, pk.SchedulePackage, {"publish_on": text(form, "publish_on")},
                         "scheduled"),
            "unschedule": (packages.unschedule_package, pk.UnschedulePackage, {}, "unscheduled"),
            "follow": (packages.follow_package, pk.FollowPackage, {}, "followed"),
            "unfollow": (packages.unfollow_package, pk.UnfollowPackage, {}, "unfollowed"),
            "seen": (packages.see_package_edition, pk.SeePackageEdition, {}, "seen"),
        }
        if action not in actions:
            raise NotFoundException(f"no action {action[:40]}")
        command, kind, fields, done = actions[action]
        try:
            await run_command(web, command, to_command(kind, {**ids, **fields}), me)
        except PermissionDeniedError as error:
            return error_page(request, error)
        except DomainError as error:
            extra: dict[str, Any] = {"picker": chosen} if action == "edit" else {}
            return await self._page(request, web, me, package_id, status_code=status_of(error),
                                    error=explain(request, error), form=dict(form), **extra)
        return Redirect(f"/packages/{package_id}?done={done}", status_code=303)


class PackagesApiController(Controller):
    path = "/api/packages"
    tags = ["market"]  # noqa: RUF012 - litestar declares it as an instance attribute

    @get("/", summary="Achievement packages: the published ones (a curator's unpublished ones too)",
         security=OPTIONAL_BEARER)
    async def index(self, web: WebState, maybe_me: Identity | None) -> PackagesOut:
        curator = maybe_me.organisation_id if maybe_me else None
        return PackagesOut(await PackagesQueries(web.pool).index(curator=curator))

    @post("/", summary="Draft a package (a programme officer or a member of a verified transfer agency)",
          security=BEARER)
    async def draft(self, data: pk.DraftPackage, web: WebState, marketplace: Marketplace, me: Identity) -> Created:
        package_id, position = await run_command(web, marketplace.packages.draft_package, data, me)
        return Created(package_id, position)

    @get("/{package_id:uuid}", summary="A package, its published editions and changes, and its listings now",
         security=OPTIONAL_BEARER)
    async def read(self, package_id: UUID, web: WebState, maybe_me: Identity | None) -> PackageOut:
        return await package_out(PackagesQueries(web.pool), maybe_me, package_id)

    @post("/{package_id:uuid}", summary="Revise the next edition (the curator organisation's members)",
          status_code=200, security=BEARER)
    async def revise(self, package_id: UUID, data: PackageInput, web: WebState, marketplace: Marketplace,
                     me: Identity) -> Done:
        cmd = to_command(pk.RevisePackage, {**msgspec.to_builtins(data), "package_id": str(package_id)})
        return Done(await run_command(web, marketplace.packages.revise_package, cmd, me))

    @post("/{package_id:uuid}/schedule", summary="Schedule the next edition's publication (the curator's)",
          status_code=200, security=BEARER)
    async def schedule(self, package_id: UUID, data: ScheduleInput, web: WebState, marketplace: Marketplace,
                       me: Identity) -> Done:
        cmd = pk.SchedulePackage(package_id=package_id, publish_on=data.publish_on)
        return Done(await run_command(web, marketplace.packages.schedule_package, cmd, me))

    @post("/{package_id:uuid}/unschedule", summary="Cancel the scheduled publication (the curator's)",
          status_code=200, security=BEARER)
    async def unschedule(self, package_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = pk.UnschedulePackage(package_id=package_id)
        return Done(await run_command(web, marketplace.packages.unschedule_package, cmd, me))

    @post("/{package_id:uuid}/follow", summary="Follow a published package (told of each new edition)",
          status_code=200, security=BEARER)
    async def follow(self, package_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = pk.FollowPackage(package_id=package_id)
        return Done(await run_command(web, marketplace.packages.follow_package, cmd, me))

    @post("/{package_id:uuid}/unfollow", summary="Stop following a package", status_code=200, security=BEARER)
    async def unfollow(self, package_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = pk.UnfollowPackage(package_id=package_id)
        return Done(await run_command(web, marketplace.packages.unfollow_package, cmd, me))

    @post("/{package_id:uuid}/seen", summary="Mark the package's latest edition as read (its news leaves the to-do)",
          status_code=200, security=BEARER)
    async def seen(self, package_id: UUID, web: WebState, marketplace: Marketplace, me: Identity) -> Done:
        cmd = pk.SeePackageEdition(package_id=package_id)
        return Done(await run_command(web, marketplace.packages.see_package_edition, cmd, me))
