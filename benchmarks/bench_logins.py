"""Command latency during a flood of wrong logins (issue 9: within 2x of its idle figure).

The app serves as ``marketplace serve`` does (uvicorn, one worker, projections in-process, argon2id
at RFC 9106's 64 MiB). A verified university registers patents through ``POST /api/patents``
(bearer token), one after another: first idle, then while 48 clients send wrong logins as fast as
the server answers them, in alternating rounds, so both figures see the same machine.

Two floods: "one address" (one client address and one account, as a single attacker: the
throttle answers 429 after its burst) and "botnet" (every attempt from a new address and a new
e-mail, given in ``X-Forwarded-For``, which uvicorn trusts from loopback: the throttle never
fires and every attempt costs an argon2 check). The botnet flood is what the password pool must
absorb: it runs argon2 on one low-priority thread, so commands keep their threads and the CPU.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
import time
from collections import Counter
from typing import Any

import msgspec

from benchmarks.bench_commands import Commands
from benchmarks.common import BenchResult, Context, at_most, fresh_database, make_services, median, percentile, say
from benchmarks.load import serve

FLOOD_CLIENTS = 48
TARGET_RATIO = 2.0
USER_EMAIL = "tto@fzu.bench.example.cn"
USER_PASSWORD = "bench-user-password"


class Client:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, base_url: str) -> None:
        host, _, port = base_url.removeprefix("http://").partition(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=120)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        self.conn.request("POST", path, body=json.dumps(body),
                          headers={"Content-Type": "application/json"} | (headers or {}))
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


class Flood:
    """``FLOOD_CLIENTS`` threads sending wrong logins until stopped; counts the answers."""

    def __init__(self, base_url: str, *, botnet: bool) -> None:
        self.base_url = base_url
        self.botnet = botnet
        self.stop = threading.Event()
        self.statuses: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.started = self.seconds = 0.0
        self._serial = itertools.count()
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._attack, daemon=True) for _ in range(FLOOD_CLIENTS)]

    def __enter__(self) -> Flood:
        self.started = time.perf_counter()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=300)
        self.seconds = time.perf_counter() - self.started

    def _attack(self) -> None:
        client = Client(self.base_url)
        try:
            while not self.stop.is_set():
                n = next(self._serial)
                if self.botnet:
                    body = {"email": f"guess{n}@flood.example.org", "password": f"wrong-{n}"}
                    headers = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}
                else:
                    body, headers = {"email": USER_EMAIL, "password": f"wrong-{n}"}, {}
                started = time.perf_counter()
                status, _ = client.post("/api/auth/token", body, headers)
                with self._lock:
                    self.statuses[status] += 1
                    self.latencies.append(time.perf_counter() - started)
        finally:
            client.close()


def _commands(base_url: str, cmds: Commands, token: str, n: int) -> list[float]:
    """Seconds per ``POST /api/patents`` (each a new patent), one after another on one new connection."""
    latencies = []
    client = Client(base_url)
    try:
        for _ in range(n):
            body = msgspec.to_builtins(cmds.register())
            started = time.perf_counter()
            status, answer = client.post("/api/patents", body, {"Authorization": f"Bearer {token}"})
            latencies.append(time.perf_counter() - started)
            if status != 201:
                raise RuntimeError(f"register_patent: {status} {answer[:300]!r}")
    finally:
        client.close()
    return latencies


def run(ctx: Context) -> BenchResult:
    result = BenchResult("logins")
    rounds, per_round = (2, 10) if ctx.quick else (4, 20)
    with fresh_database(ctx.server, "logins") as address:
        services = make_services(address)
        try:
            cmds = Commands(services.app)
            with serve(address, workers=1, projections=True) as server:
                client = Client(server.base_url)
                status, body = client.post("/api/auth/token", {"email": USER_EMAIL, "password": USER_PASSWORD})
                if status != 201:
                    raise RuntimeError(f"token: {status} {body[:300]!r}")
                token = json.loads(body)["token"]
                client.close()
                _commands(server.base_url, cmds, token, 5)  # warm up
                idle: list[float] = []
                flooded: dict[str, list[float]] = {"one address": [], "botnet": []}
                floods: dict[str, list[Flood]] = {"one address": [], "botnet": []}
                for round_ in range(rounds):
                    idle += _commands(server.base_url, cmds, token, per_round)
                    for name, latencies in flooded.items():
                        with Flood(server.base_url, botnet=name == "botnet") as flood:
                            time.sleep(2.0)  # let the flood fill the server's queues
                            latencies.extend(_commands(server.base_url, cmds, token, per_round))
                        floods[name].append(flood)
                        say(f"  round {round_ + 1}, {name}: commands p50 {median(latencies) * 1000:.0f} ms;"
                            f" logins answered {dict(flood.statuses)}")
                    say(f"  round {round_ + 1}, idle: commands p50 {median(idle) * 1000:.0f} ms")
        finally:
            services.close()

    idle_p50, idle_p90 = median(idle) * 1000, percentile(idle, 90) * 1000
    result.add("commands idle p50", idle_p50, "ms", note="POST /api/patents, sequential")
    result.add("commands idle p90", idle_p90, "ms")
    for name, latencies in flooded.items():
        p50, p90 = median(latencies) * 1000, percentile(latencies, 90) * 1000
        result.add(f"commands during {FLOOD_CLIENTS} wrong logins ({name}) p50", p50, "ms", baseline=idle_p50,
                   baseline_name="idle p50", target=f"<= {TARGET_RATIO:g}x idle",
                   met=at_most(p50, TARGET_RATIO * idle_p50))
        result.add(f"commands during {FLOOD_CLIENTS} wrong logins ({name}) p90", p90, "ms", baseline=idle_p90,
                   baseline_name="idle p90")
        statuses: Counter[int] = Counter()
        login_latencies: list[float] = []
        for flood in floods[name]:
            statuses.update(flood.statuses)
            login_latencies += flood.latencies
        seconds = sum(f.seconds for f in floods[name])
        result.add(f"wrong logins answered ({name})", sum(statuses.values()) / seconds, "req/s",
                   note=f"statuses {dict(sorted(statuses.items()))}")
        result.add(f"wrong login latency ({name}) p50", median(login_latencies) * 1000, "ms")
        result.details[f"login statuses ({name})"] = dict(statuses)
    return result
