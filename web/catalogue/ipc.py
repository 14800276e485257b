"""IPC titles as pages show them: each code's title and its parents', from the scheme held in memory."""

from __future__ import annotations

from domain.catalogue.ipc import parse_ipc
from web.state import WebState


def ipc_titles(web: WebState, codes: list[str]) -> dict[str, str]:
    """Titles of the codes and of their subclasses, from the IPC scheme held in memory."""
    scheme = web.services.ipc_scheme
    if scheme is None:
        return {}
    titles: dict[str, str] = {}
    for text in codes:
        code = parse_ipc(text)
        for level in (*code.parents(), code):
            title = scheme.title(level)
            if title:
                titles[str(level)] = title
    return titles
