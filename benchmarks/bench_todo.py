"""What the header's to-do count costs a logged-in member's page (``web.todo.count_in_header``).

Every full page a logged-in user sees shows "待办 (N)": N is the number of items of every to-do
source (one query each at most, about twenty). A fresh database is filled by ``seed_demo`` (members
of each role with to-do items) and served as the other HTTP benchmarks serve it (uvicorn, one
worker, projections in-process in the first of the two servers). Under ``CONNECTIONS`` keep-alive
connections, in alternating rounds on the same machine:

- the same public pages (``/listings``, ``/programmes``) anonymous (the baseline) and as a logged-in
  seller (a university's org admin, session cookie from the login form with its CSRF token), whose
  header carries the count;
- ``GET /api/todo`` (bearer token) for that seller, the platform admin and a programme officer: every
  source with its items, the upper bound of what the count costs.

Two servers are measured in the same rounds: one with the header count cached per user
(``MARKETPLACE_TODO_COUNT_SECONDS``, the default) and one that counts on every page (``=0``, as
before the cache). Ratios are against the anonymous baseline of the same server in the same run.
"""

from __future__ import annotations

import contextlib
import re
import time
from typing import Any

import httpx

from benchmarks.common import BenchResult, Context, fresh_database, make_services, median, say
from benchmarks.load import LoadResult, Server, describe, run_load, serve
from marketplace.demo.catalogue import DemoAccount, seed_demo
from marketplace.demo.vocabulary import PLATFORM_ADMIN, UNIVERSITIES

CONNECTIONS = 8
PAGES = ("/listings", "/programmes")
COUNT_SETTING = "MARKETPLACE_TODO_COUNT_SECONDS"
#: server label: the count's cache setting ("" = the default)
SERVERS = {"counted every page": "0", "cached count": ""}


def _log_in(base_url: str, account: DemoAccount) -> dict[str, str]:
    """The session cookie of a login through the form (CSRF token read from the page, as a browser does)."""
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=60) as client:
        page = client.get("/login")
        match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
        if match is None:
            raise RuntimeError("/login has no CSRF field")
        answer = client.post("/login", data={"email": account.email, "password": account.password, "next": "/my",
                                             "_csrf_token": match.group(1)})
        if answer.status_code != 303:
            raise RuntimeError(f"login of {account.email}: {answer.status_code} {answer.text[:300]}")
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}


def _bearer(base_url: str, account: DemoAccount) -> dict[str, str]:
    answer = httpx.post(base_url + "/api/auth/token", json={"email": account.email, "password": account.password},
                        timeout=60)
    if answer.status_code != 201:
        raise RuntimeError(f"token of {account.email}: {answer.status_code} {answer.text[:300]}")
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _todo_count(base_url: str, headers: dict[str, str]) -> int:
    answer = httpx.get(base_url + "/api/todo", headers=headers, timeout=60)
    answer.raise_for_status()
    return int(answer.json()["count"])


def _wait_for_read_models(base_url: str, timeout: float = 600) -> int:
    """Until every read model has processed the seeded events (the projections run in the server)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = httpx.get(base_url + "/api/health", timeout=30).json()
        if all(m["position"] >= health["head"] for m in health["read_models"]):
            return int(health["head"])
        time.sleep(1.0)
    raise RuntimeError("the read models did not catch up with the demo's events")


def _header_count(base_url: str, path: str, headers: dict[str, str]) -> str:
    """The header's to-do figure on a page (checks that the measured page shows it)."""
    page = httpx.get(base_url + path, headers=headers, timeout=60)
    page.raise_for_status()
    match = re.search(r'<span id="todo-count">(\d+)</span>', page.text)
    return match.group(1) if match else "?"


def run(ctx: Context) -> BenchResult:
    result = BenchResult("todo")
    rounds, seconds, listings = (2, 3.0, 60) if ctx.quick else (3, 5.0, 300)
    with fresh_database(ctx.server, "todo") as address:
        services = make_services(address)
        try:
            started = time.perf_counter()
            report = seed_demo(services.app, listings=listings)
            say(f"  demo seeded in {time.perf_counter() - started:.0f} s: {len(report.accounts)} accounts,"
                f" {report.listings} listings")
        finally:
            services.close()
        accounts = {a.email: a for a in report.accounts}
        with contextlib.ExitStack() as stack:
            servers: dict[str, Server] = {}
            for i, (label, setting) in enumerate(SERVERS.items()):
                extra = {COUNT_SETTING: setting} if setting else {}
                # the first runs the projections (nothing is written while measuring: both read the same)
                servers[label] = stack.enter_context(serve(address, workers=1, projections=i == 0, extra_env=extra))
            head = _wait_for_read_models(next(iter(servers.values())).base_url)
            for server in servers.values():
                _wait_for_read_models(server.base_url)
            base = next(iter(servers.values())).base_url
            selection = _select(base, report.accounts)
            seller, admin, officer = (accounts[selection[k]["email"]] for k in ("seller", "platform admin",
                                                                                    "programme officer"))
            say(f"  selected: {selection}")
            plans: dict[str, list[tuple[str, str, dict[str, str]]]] = {}
            for label, server in servers.items():
                cookie = _log_in(server.base_url, seller)
                bearer = {name: _bearer(server.base_url, a) for name, a in
                          (("seller", seller), ("platform admin", admin), ("programme officer", officer))}
                plan = []
                for path in PAGES:
                    shown = _header_count(server.base_url, path, cookie)
                    if shown != str(selection["seller"]["count"]):
                        raise RuntimeError(f"{path} as the seller shows to-do {shown}, /api/todo counts"
                                           f" {selection['seller']['count']}")
                    plan += [(f"{path} anonymous", path, {}), (f"{path} seller", path, cookie)]
                plan += [(f"/api/todo {name}", "/api/todo", headers) for name, headers in bearer.items()]
                plans[label] = plan
                for name, path, headers in plan:  # warm up
                    run_load(server.base_url, [path], label=name, seconds=1, connections=2, headers=headers)
            runs: dict[tuple[str, str], list[LoadResult]] = {}
            for round_ in range(rounds):
                for label, server in servers.items():
                    for name, path, headers in plans[label]:
                        r = run_load(server.base_url, [path], label=f"{label}: {name}", seconds=seconds,
                                     connections=CONNECTIONS, headers=headers)
                        if r.errors:
                            raise RuntimeError(f"{describe(r)}: errors")
                        runs.setdefault((label, name), []).append(r)
                        say(f"    round {round_ + 1}, {describe(r)}")
    result.details["selection"] = selection | {"pages": list(PAGES), "connections": CONNECTIONS, "rounds": rounds,
                                               "seconds per run": seconds, "demo listings": listings,
                                               "events": head, "servers": {k: f"{COUNT_SETTING}={v or 'default'}"
                                                                           for k, v in SERVERS.items()}}
    result.details["runs"] = {f"{label}: {name}": [describe(r) for r in rs] for (label, name), rs in runs.items()}
    _figures(result, runs)
    return result


def _select(base_url: str, demo: list[DemoAccount]) -> dict[str, dict[str, Any]]:
    """The seller with the most to-do items (a university's org admin), the platform admin, a programme officer."""
    universities = {u.name for u in UNIVERSITIES}
    counts = {}
    for account in demo:
        if account.organisation in universities and "org_admin" in account.roles:
            counts[account.email] = _todo_count(base_url, _bearer(base_url, account))
    seller = max(counts, key=lambda email: counts[email])
    officer = next(a for a in demo if "programme_officer" in a.roles)
    chosen = {"seller": seller, "platform admin": PLATFORM_ADMIN.email, "programme officer": officer.email}
    by_email = {a.email: a for a in demo}
    return {role: {"email": email, "organisation": by_email[email].organisation,
                   "count": counts.get(email) if email in counts else _todo_count(base_url,
                                                                                   _bearer(base_url, by_email[email]))}
            for role, email in chosen.items()}


def _figures(result: BenchResult, runs: dict[tuple[str, str], list[LoadResult]]) -> None:
    """Median over rounds of each run's p50, p99 and rate; ratios against the same server's anonymous page."""
    def figure(label: str, name: str, attr: str) -> float:
        values = [getattr(r, attr) if attr != "rps" else r.rps for r in runs[(label, name)]]
        return median(values)

    for label in SERVERS:
        for path in PAGES:
            anon = {a: figure(label, f"{path} anonymous", a) for a in ("p50_ms", "p99_ms", "rps")}
            seller = {a: figure(label, f"{path} seller", a) for a in ("p50_ms", "p99_ms", "rps")}
            result.add(f"{label}: {path} anonymous p50", anon["p50_ms"], "ms")
            result.add(f"{label}: {path} seller p50", seller["p50_ms"], "ms", baseline=anon["p50_ms"],
                       baseline_name="anonymous p50")
            result.add(f"{label}: {path} seller p99", seller["p99_ms"], "ms", baseline=anon["p99_ms"],
                       baseline_name="anonymous p99")
            result.add(f"{label}: {path} seller rate", seller["rps"], "req/s", baseline=anon["rps"],
                       baseline_name="anonymous req/s")
            result.details[f"{label}: {path} time per request beyond the anonymous page"] = (
                f"{(1 / seller['rps'] - 1 / anon['rps']) * 1000:.2f} ms of {1000 / seller['rps']:.2f} ms"
                f" ({(1 - seller['rps'] / anon['rps']) * 100:.0f} % of the seller's page)")
        anon_p50 = figure(label, f"{PAGES[0]} anonymous", "p50_ms")
        anon_rps = figure(label, f"{PAGES[0]} anonymous", "rps")
        for who in ("seller", "platform admin", "programme officer"):
            name = f"/api/todo {who}"
            result.add(f"{label}: {name} p50", figure(label, name, "p50_ms"), "ms", baseline=anon_p50,
                       baseline_name=f"{PAGES[0]} anonymous p50")
            result.add(f"{label}: {name} p99", figure(label, name, "p99_ms"), "ms")
            result.add(f"{label}: {name} rate", figure(label, name, "rps"), "req/s", baseline=anon_rps,
                       baseline_name=f"{PAGES[0]} anonymous req/s")
