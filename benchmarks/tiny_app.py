"""The smallest litestar app: one HTML route, no middleware. Served as the framework's ceiling."""

from __future__ import annotations

from litestar import Litestar, MediaType, get

BODY = "<!doctype html><title>ok</title><p>" + "电池 battery " * 100 + "</p>"


@get("/", media_type=MediaType.HTML, sync_to_thread=False)
def index() -> str:
    return BODY


app = Litestar(route_handlers=[index])
