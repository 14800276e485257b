"""HTTP load: serve the app with uvicorn in a child process, drive it with wrk (or a fallback client).

wrk (a C client, ``apt-get install -y wrk``) leaves the two cores to the server; each request
takes the next path of a list (a Lua script), so consecutive requests search different terms.
Without wrk, ``python -m benchmarks.load`` runs a small asyncio HTTP/1.1 keep-alive client in a
separate process with the same output (it costs the server more CPU, so rates read lower).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import PROJECT_ROOT, PYTHON, database_url, percentile, say
from marketplace.platform.database import DatabaseAddress

SECRET_KEY = "benchmark-secret-key-not-for-production-0123456789"


@dataclass
class LoadResult:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # connection errors, timeouts and non-2xx/3xx answers
    client: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path


def rss_kib(pid: int) -> int:
    """VmRSS of a process in KiB (``/proc/<pid>/status``); 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def server_rss(process: subprocess.Popen[bytes]) -> dict[str, int]:
    """RSS (KiB) of the processes that serve: uvicorn itself with one worker; with several, its worker
    children (uvicorn's supervisor and multiprocessing's resource tracker listed apart, not counted)."""
    workers: dict[str, int] = {}
    other: dict[str, int] = {}
    pending = _children(process.pid)
    while pending:
        pid = pending.pop()
        pending += _children(pid)
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        (other if b"resource_tracker" in cmdline else workers)[str(pid)] = rss_kib(pid)
    if not workers:
        workers[str(process.pid)] = rss_kib(process.pid)
    else:
        other[f"supervisor {process.pid}"] = rss_kib(process.pid)
    return {"total_kib": sum(workers.values()), **{f"worker {k}": v for k, v in workers.items()},
            **{f"not counted: {k}": v for k, v in other.items()}}


@contextmanager
def serve(address: DatabaseAddress, *, workers: int = 1, projections: bool = False,
          extra_env: dict[str, str] | None = None, app: str = "web.app:create_app",
          ready_path: str = "/static/app.css", root: Path = PROJECT_ROOT) -> Iterator[Server]:
    """uvicorn with the app factory (as ``web.app.create_app()`` wires itself from the environment), serving the
    code of the checkout at ``root`` (another revision's worktree: ``benchmarks.compare_search``)."""
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="mkt-bench-web-"))
    log_path = log_dir / "uvicorn.log"
    env = os.environ | {
        "MARKETPLACE_DATABASE_URL": database_url(address),
        "MARKETPLACE_SECRET_KEY": SECRET_KEY,  # shared by the workers: tokens and sessions verify in any of them
        "MARKETPLACE_INPROCESS_PROJECTIONS": "1" if projections else "0",
        "MARKETPLACE_DEMO_DATA": "0",
        "MARKETPLACE_DATA_DIR": str(log_dir),
        "MARKETPLACE_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(root),
    } | (extra_env or {})
    command = [PYTHON, "-m", "uvicorn", app, *(["--factory"] if app.endswith("create_app") else []),
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning",
               "--no-access-log"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_ready(server, workers, ready_path)
        yield server
    finally:
        _stop(process)
        shutil.rmtree(log_dir, ignore_errors=True)


def _wait_ready(server: Server, workers: int, path: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.log_path.read_text()[-3000:]
            raise RuntimeError(f"uvicorn exited with {server.process.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(server.base_url + path, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        raise RuntimeError(f"uvicorn did not answer within {timeout:.0f} s:\n{server.log_path.read_text()[-3000:]}")
    if workers > 1:
        time.sleep(3.0)  # the first worker answered; give the others time to finish their start-up


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # our own session: the server and its workers only
        process.wait(timeout=5)


# --- wrk ------------------------------------------------------------------------------------------
LUA = """
%s
local paths = {%s}
local counter = %d
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%%d,"duration_us":%%d,"errors":%%d,'
    .. '"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_load(base_url: str, paths: list[str], *, label: str, seconds: float, connections: int,
             offset: int = 0, headers: dict[str, str] | None = None) -> LoadResult:
    """Closed-loop load: ``connections`` keep-alive connections, each sending the next path when answered
    (with ``headers`` on every request: a session cookie, a bearer token)."""
    if have_wrk():
        return _run_wrk(base_url, paths, label=label, seconds=seconds, connections=connections, offset=offset,
                        headers=headers or {})
    return _run_python_client(base_url, paths, label=label, seconds=seconds, connections=connections, offset=offset,
                              headers=headers or {})


def _lua_string(text: str) -> str:
    if not text.isascii() or "]==]" in text or "\n" in text or "\r" in text:
        raise ValueError(f"header values must be ASCII on one line: {text!r}")
    return f"[==[{text}]==]"


def _run_wrk(base_url: str, paths: list[str], *, label: str, seconds: float, connections: int,
             offset: int, headers: dict[str, str]) -> LoadResult:
    for path in paths:
        if not path.isascii() or '"' in path or "\\" in path:
            raise ValueError(f"paths must be URL-encoded ASCII: {path!r}")
    header_lines = "\n".join(f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
    script = LUA % (header_lines, ", ".join(f'"{p}"' for p in paths), offset)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        script_path = f.name
    try:
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", script_path,
             base_url], capture_output=True, text=True, timeout=seconds + 60, check=False)
    finally:
        os.unlink(script_path)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    data = json.loads(line.removeprefix("WRKJSON "))
    return LoadResult(label, data["requests"], data["duration_us"] / 1e6, data["p50"] / 1000, data["p90"] / 1000,
                      data["p99"] / 1000, data["max"] / 1000, data["errors"], "wrk")


def _run_python_client(base_url: str, paths: list[str], *, label: str, seconds: float, connections: int,
                       offset: int, headers: dict[str, str]) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"base_url": base_url, "paths": paths, "seconds": seconds, "connections": connections,
                   "offset": offset, "headers": headers}, f)
        spec = f.name
    try:
        done = subprocess.run([PYTHON, "-m", "benchmarks.load", spec], capture_output=True, text=True,
                              timeout=seconds + 60, check=False, cwd=PROJECT_ROOT)
    finally:
        os.unlink(spec)
    if done.returncode != 0:
        raise RuntimeError(f"load client failed: {done.stderr[-2000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return LoadResult(label, data["requests"], data["seconds"], data["p50"], data["p90"], data["p99"], data["max"],
                      data["errors"], "python asyncio client")


# --- the fallback client (run in its own process) -------------------------------------------------
async def _client(base_url: str, paths: list[str], seconds: float, connections: int,
                  offset: int, headers: dict[str, str] | None = None) -> dict[str, float]:
    host_port = base_url.removeprefix("http://")
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    host, _, port = host_port.partition(":")
    latencies: list[float] = []
    errors = 0
    counter = offset
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors, counter
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < deadline:
                counter += 1
                path = paths[counter % len(paths)]
                started = time.perf_counter()
                writer.write(f"GET {path} HTTP/1.1\r\nHost: {host_port}\r\n{extra}\r\n".encode())
                status_line = await reader.readline()
                status = int(status_line.split()[1])
                length, chunked = 0, False
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                        chunked = True
                if chunked:
                    while size := int((await reader.readline()).strip(), 16):
                        await reader.readexactly(size + 2)
                    await reader.readline()
                else:
                    await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if status >= 400:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed, "errors": errors,
            "p50": percentile(latencies, 50) * 1000, "p90": percentile(latencies, 90) * 1000,
            "p99": percentile(latencies, 99) * 1000, "max": max(latencies, default=0) * 1000}


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    result = asyncio.run(_client(spec["base_url"], spec["paths"], spec["seconds"], spec["connections"],
                                 spec["offset"], spec.get("headers")))
    print(json.dumps(result))



def describe(r: LoadResult) -> str:
    return (f"{r.label}: {r.rps:,.0f} req/s, p50 {r.p50_ms:.1f} ms, p90 {r.p90_ms:.1f} ms, p99 {r.p99_ms:.1f} ms,"
            f" max {r.max_ms:.0f} ms, {r.errors} errors ({r.requests:,} requests, {r.client})")


def say_load(r: LoadResult) -> None:
    say("    " + describe(r))


if __name__ == "__main__":
    main()
