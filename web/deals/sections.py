"""Sections other trades add to the contract page (the technology-contract registration, for one).

The deals trade cannot read the trades above it, so the contract page asks its ``ContractSections``
dependency — given by the web's kernel (``web.deps``) — for each section's template and values.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from projections.deals.rows import ContractRow
from web.context import Identity
from web.state import WebState

#: A section: given the reader and the contract, its template and the values it shows, or ``None``.
Section = Callable[[WebState, Identity, ContractRow], Awaitable[tuple[str, dict[str, Any]] | None]]


class ContractSections:
    """The sections of the contract page, in order."""

    def __init__(self, web: WebState, sections: Sequence[Section] = ()) -> None:
        self.web = web
        self.sections = tuple(sections)

    async def render(self, me: Identity, contract: ContractRow) -> list[tuple[str, dict[str, Any]]]:
        shown = [await section(self.web, me, contract) for section in self.sections]
        return [s for s in shown if s is not None]
