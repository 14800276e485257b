"""Technology demand pages: placeholder until the pages land."""

from __future__ import annotations

from litestar import Controller


class DemandPagesController(Controller):
    include_in_schema = False
