"""Scale-out (issue 16): two web workers and two projection workers as separate processes on one PostgreSQL.

The active projection worker is killed (``kill -9``) while users sign up through web worker A; the other
worker takes its leases over within seconds, every read model reaches the head of the log, and a rebuild
from the log gives the same rows (nothing applied twice, nothing skipped). What a user writes through
worker A is read back on worker B.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from marketplace.audit.rebuild_check import rebuild_check
from marketplace.platform.database import DatabaseAddress
from marketplace.platform.leases import lease_groups, lease_holders
from marketplace.platform.services import Services, build_services
from marketplace.platform.settings import PROJECT_ROOT, Settings

ADMIN = ("admin@platform.test", "admin-password-1")
SECRET = "scale-out-test-secret-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def prepared(database: DatabaseAddress, tmp_path: Path) -> Iterator[tuple[Services, dict[str, str]]]:
    """The database migrated, with a platform admin, and the environment every worker process starts with."""
    env = {**os.environ, "MARKETPLACE_DATABASE_URL": database.url(), "MARKETPLACE_DATA_DIR": str(tmp_path),
           "MARKETPLACE_DEMO_DATA": "0", "MARKETPLACE_SECRET_KEY": SECRET, "MARKETPLACE_INPROCESS_PROJECTIONS": "0",
           "MARKETPLACE_IPC_SCHEME": str(tmp_path / "no-ipc-scheme.tsv.gz"), "MARKETPLACE_LOG_LEVEL": "WARNING",
           "MARKETPLACE_DB_POOL_SIZE": "4", "MARKETPLACE_READ_WAIT_SECONDS": "60", "PYTHONPATH": str(PROJECT_ROOT)}
    settings = Settings.from_env(env)
    services = build_services(settings, address=database, ipc_scheme=None)
    services.app.accounts.bootstrap_platform_admin(email=ADMIN[0], password=ADMIN[1], display_name="Platform Admin",
                                                   organisation_name="Platform Ops")
    yield services, env
    services.close()


class Processes:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        # Each process's output goes to its own file (a pipe nobody reads would stop a process that fills it),
        # told in a failing wait.
        with (self.logs / f"process-{len(self.started)}.log").open("wb") as log:
            process = subprocess.Popen([sys.executable, *args], env=self.env, cwd=PROJECT_ROOT,
                                       stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def told(self) -> str:
        return "\n".join(
            f"--- {' '.join(str(a) for a in p.args[1:])} (exit {p.poll()}):\n"  # type: ignore[index]
            f"{(self.logs / f'process-{n}.log').read_text(errors='replace')[-3000:]}"
            for n, p in enumerate(self.started))

    def web(self, port: int) -> subprocess.Popen[bytes]:
        return self.start("-m", "uvicorn", "web.app:create_app", "--factory", "--host", "127.0.0.1",
                          "--port", str(port), "--log-level", "warning")

    def projections(self) -> subprocess.Popen[bytes]:
        return self.start("-m", "marketplace", "run-projections")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(prepared: tuple[Services, dict[str, str]], tmp_path: Path) -> Iterator[Processes]:
    started = Processes(prepared[1], tmp_path)
    yield started
    started.stop_all()


def wait_until(check: Any, timeout: float, what: str, told: Callable[[], str] | None = None) -> Any:
    """``check()`` once it is true, within ``timeout``; else a failure that says what the processes printed."""
    deadline = time.monotonic() + timeout
    while True:
        answer = check()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}" + (f"\n{told()}" if told else ""))
        time.sleep(0.1)


def holders(services: Services) -> dict[str, str]:
    with psycopg.connect(services.address.conninfo()) as conn:
        return lease_holders(conn, services.app.name, list(lease_groups(list(services.views))))


def answers(url: str) -> bool:
    try:
        return httpx.get(url + "/api/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def caught_up(services: Services) -> bool:
    head = services.recorder.max_notification_id() or 0
    return head > 0 and {view.position(services.app.name) for view in services.views.values()} == {head}


def test_two_web_and_two_projection_workers_survive_a_kill_of_the_active_projection_worker(
        prepared: tuple[Services, dict[str, str]], processes: Processes) -> None:
    services, _ = prepared
    leases = lease_groups(list(services.views))
    first = processes.projections()
    wait_until(lambda: set(holders(services)) == set(leases), 30, "the first projection worker takes every lease",
               processes.told)
    assert set(holders(services).values()) == {f"{socket.gethostname()[:40]}:{first.pid}"}
    a_port, b_port = free_port(), free_port()
    processes.web(a_port)
    processes.web(b_port)
    second = processes.projections()
    a, b = f"http://127.0.0.1:{a_port}", f"http://127.0.0.1:{b_port}"
    # Four processes import and wire the whole marketplace at once on two cores, compiling it first on a fresh
    # clone. Once in CI (2026-12-06) the web workers did not answer within 60 s, and their output was lost: the
    # wait is longer now, and a failure prints what each process said.
    wait_until(lambda: answers(a) and answers(b), 120, "both web workers answer", processes.told)
    # The second worker gets its share: the first gives back what is beyond half.
    wait_until(lambda: len(set(holders(services).values())) == 2, 20, "the two workers share the leases",
               processes.told)
    held = holders(services)
    assert set(held) == set(leases)
    assert 0 < sum(1 for w in held.values() if w.endswith(f":{first.pid}")) < len(leases)

    signed_up: list[str] = []
    errors: list[str] = []
    stop = threading.Event()

    def sign_up_on_a() -> None:
        with httpx.Client(base_url=a, timeout=90) as client:  # a sign-up waits up to 60 s for the read models
            n = 0
            while not stop.is_set():
                n += 1
                email = f"user{n}@scale.test"
                answer = client.post("/api/signup", headers={"X-Forwarded-For": f"10.0.{n // 200}.{n % 200 + 1}"},
                                     json={"email": email, "password": "secret-password-1", "display_name": f"user {n}",
                                           "organisation_name": f"Scale Org {n}", "organisation_kind": "enterprise"})
                if answer.status_code != 201:
                    errors.append(f"{answer.status_code} {answer.text}")
                    return
                signed_up.append(f"Scale Org {n}")

    writer = threading.Thread(target=sign_up_on_a)
    writer.start()
    try:
        wait_until(lambda: len(signed_up) >= 3, 30, "sign-ups go through web worker A")
        victim = first.pid if holders(services).get("notifications", "").endswith(f":{first.pid}") else second.pid
        survivor = second if victim == first.pid else first
        os.kill(victim, signal.SIGKILL)  # the worker applying the inbox, the accounts and the catalogue
        killed_at = time.monotonic()
        wait_until(lambda: set(holders(services).values()) == {f"{socket.gethostname()[:40]}:{survivor.pid}"}
                   and set(holders(services)) == set(leases), 30, "the survivor takes over every lease",
                   processes.told)
        takeover = time.monotonic() - killed_at
        count = len(signed_up)
        wait_until(lambda: len(signed_up) >= count + 3 or errors, 30, "sign-ups go on after the kill")
    finally:
        stop.set()
        writer.join()
    assert errors == []
    # Within seconds (the survivor looks for free leases every second), with room for a loaded machine.
    assert takeover < 15
    assert len(signed_up) < 99  # all of them on one page of the organisations below

    # Every read model reaches the head of the log, applied by the survivor.
    wait_until(lambda: caught_up(services), 30, "every read model catches up", processes.told)
    # A user's write through A is visible on B at once (A's answer waited for the read models).
    with httpx.Client(timeout=90) as client:
        admin = client.post(a + "/api/auth/token", json={"email": ADMIN[0], "password": ADMIN[1]}).json()
        org = next(o for o in client.get(b + "/api/organisations", params={"limit": 100}).json()["items"]
                   if o["name"] == signed_up[-1])
        assert not org["verified"]
        verified = client.post(f"{a}/api/organisations/{org['id']}/verify",
                               headers={"Authorization": f"Bearer {admin['token']}"})
        assert verified.status_code == 200, verified.text
        on_b = client.get(b + "/api/organisations", params={"verified": "true", "limit": 100}).json()["items"]
        assert org["id"] in {o["id"] for o in on_b}
        names = {o["name"] for o in client.get(b + "/api/organisations", params={"limit": 100}).json()["items"]}
    assert set(signed_up) <= names

    processes.stop_all()
    # Exactly once: a rebuild of every read model from the log gives the very rows the workers wrote.
    report = rebuild_check(services)
    assert report.differences == []
    assert set(report.positions.values()) == {services.recorder.max_notification_id()}
    with psycopg.connect(services.address.conninfo()) as conn:
        row = conn.execute("SELECT count(*) FROM accounts_organisations WHERE name LIKE 'Scale Org %'").fetchone()
    assert row is not None
    assert row[0] == len(signed_up)


def test_serve_with_two_web_workers_shares_key_sessions_and_reads_and_runs_the_projections_under_leases(
        prepared: tuple[Services, dict[str, str]], processes: Processes) -> None:
    services, env = prepared
    port = free_port()
    processes.env = {**env, "MARKETPLACE_INPROCESS_PROJECTIONS": "1", "MARKETPLACE_SECRET_KEY": ""}
    serve = processes.start("-m", "marketplace", "serve", "--workers", "2", "--port", str(port))
    url = f"http://127.0.0.1:{port}"
    # Three processes import and wire the whole marketplace at once on two cores (see the test above).
    wait_until(lambda: answers(url), 120, "the server answers", processes.told)
    children = wait_until(lambda: len(worker_processes(serve.pid)) == 2 and worker_processes(serve.pid), 60,
                          "two web worker processes", processes.told)
    # The serving process runs the projections as one leased worker among any.
    leases = lease_groups(list(services.views))
    wait_until(lambda: set(holders(services)) == set(leases), 60, "the serving process holds the leases",
               processes.told)
    assert set(holders(services).values()) == {f"{socket.gethostname()[:40]}:{serve.pid}"}
    # Each request on a new connection may reach either worker: a token one signs (the key, generated once
    # by the serving process, is shared), a write one records and the other reads.
    with httpx.Client(base_url=url, timeout=90) as client:
        signed = client.post("/api/signup", json={"email": "w@scale.test", "password": "secret-password-1",
                                                  "display_name": "W", "organisation_name": "Two Workers Ltd",
                                                  "organisation_kind": "enterprise"})
        assert signed.status_code == 201, signed.text
    for _ in range(4):
        with httpx.Client(base_url=url, timeout=90) as fresh:
            token = fresh.post("/api/auth/token", json={"email": "w@scale.test", "password": "secret-password-1"})
            assert token.status_code == 201, token.text
        with httpx.Client(base_url=url, timeout=90) as fresh:
            names = {o["name"] for o in fresh.get("/api/organisations").json()["items"]}
            assert "Two Workers Ltd" in names
            me = fresh.post("/api/auth/logout", headers={"Authorization": f"Bearer {token.json()['token']}"})
            assert me.status_code == 204, me.text
    assert len(children) == 2


def worker_processes(pid: int) -> list[int]:
    """The web workers uvicorn started under ``pid`` (its multiprocessing children, not the resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"resource_tracker" not in cmdline:
            found.append(int(entry.name))
    return found
