"""The base of every command struct (the typed edge between the web/CLI and the application) and its field types."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec

from marketplace.platform.command_text import LINE, LINE_RULE, LINES, LINES_RULE, SECRET, clean_struct

#: Text types declare their shape (marketplace.platform.command_text): one line, several lines, or a secret.
ShortText = Annotated[str, msgspec.Meta(max_length=500, extra=LINE, description=LINE_RULE)]
Text = Annotated[str, msgspec.Meta(max_length=20_000, extra=LINES, description=LINES_RULE)]
#: A short text that may run over several lines: reasons and notes.
Note = Annotated[str, msgspec.Meta(max_length=500, extra=LINES, description=LINES_RULE)]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200, extra=SECRET)]
Percent = Annotated[float, msgspec.Meta(ge=0, le=100)]
#: A client's idempotency key (a form's token, an API client's retry key) on a command that creates an aggregate:
#: the same user sending the same key again is answered with what the first request created. It is not the new
#: aggregate's id (``domain.shared.ids.requested_id`` derives that; the response gives it).
RequestKey = Annotated[UUID, msgspec.Meta(
    description="An idempotency key: sent again by the same user, the request is answered with what the first one "
                "created (one effect). Not the new record's id: the response gives that.")]


def one_of(values: type[StrEnum], *, optional: bool = False) -> msgspec.Meta:
    """A short text whose allowed values the API documents (an OpenAPI enum, with null if ``optional``);
    the domain still checks them, so a refusal names the field and lists the values."""
    allowed: list[str | None] = [v.value for v in values]
    if optional:  # for ``Annotated[ShortText | None, one_of(..., optional=True)]``
        return msgspec.Meta(extra_json_schema={"extra": {"enum": [*allowed, None]}})
    return msgspec.Meta(max_length=500, extra_json_schema={"extra": {"enum": allowed}})


def list_of(values: type[StrEnum]) -> msgspec.Meta:
    """A list of short texts, each one of ``values`` (documented as above)."""
    return msgspec.Meta(extra_json_schema={"extra": {"items": {"type": "string", "enum": [v.value for v in values]}}})


def documented_range(minimum: int, maximum: int) -> msgspec.Meta:
    """A number whose range the API documents; the domain checks it and names the rule."""
    return msgspec.Meta(extra_json_schema={"extra": {"minimum": minimum, "maximum": maximum}})


class Command(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of all commands: every text field, however deep, passes ``domain.shared.text``'s rule on the way in."""

    def __post_init__(self) -> None:
        clean_struct(self)
