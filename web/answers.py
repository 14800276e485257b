"""The JSON API's common answers to commands: what was created (and where the log stands), or just done."""

from __future__ import annotations

from uuid import UUID

import msgspec


class Created(msgspec.Struct, frozen=True):
    """A record was created: its id, and the log position to read it at (read models are there)."""

    id: UUID
    position: int


class Done(msgspec.Struct, frozen=True):
    """The command was recorded; read models have caught up to ``position``."""

    position: int
