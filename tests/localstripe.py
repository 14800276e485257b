"""pytest plugin: a real localstripe (a stateful Stripe emulator) for the payment tests.

localstripe is GPL-3.0, so it is installed by ``make localstripe`` into its own virtualenv
(``var/localstripe-venv``) and only ever runs as a separate process; nothing here imports it.

Its own launcher listens on every interface and keeps its state in the fixed file
``/tmp/localstripe.pickle``, shared with any other localstripe on the machine. The small
bootstrap below (run by the localstripe virtualenv's Python) serves the same application on a
listening socket that this process opened on 127.0.0.1, keeps the state file in the process's
private temporary directory, and starts from an empty store.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import stripe

from marketplace.deals.gateways.stripe_gateway import build_stripe_client
from marketplace.platform.settings import PROJECT_ROOT

LOCALSTRIPE_VENV = PROJECT_ROOT / "var" / "localstripe-venv"
LOCALSTRIPE_PYTHON = LOCALSTRIPE_VENV / "bin" / "python"
API_KEY = "sk_test_marketplace_localstripe"

# Runs inside the localstripe virtualenv. argv: the listening socket's file descriptor.
_BOOTSTRAP = """
import os, pickle, socket, sys, tempfile
from aiohttp import web
from localstripe import resources
from localstripe.server import app

state = os.path.join(tempfile.gettempdir(), "localstripe.pickle")

def dump_to_disk(self):
    with open(state, "wb") as f:
        pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)

resources.Store.dump_to_disk = dump_to_disk
sock = socket.socket(fileno=int(sys.argv[1]))
web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=True)
"""


@dataclass
class Localstripe:
    """A running localstripe: its API base, a ``StripeClient`` for it, and its webhook config."""

    api_base: str
    api_key: str
    pid: int
    client: stripe.StripeClient = field(repr=False)

    def register_webhook(self, url: str, secret: str, events: list[str] | None = None, *, webhook_id: str = "") -> str:
        """Have localstripe sign (with ``secret``) and POST ``events`` (None: all) to ``url``.

        Registrations last as long as the localstripe process; registering the same id again
        replaces it. Returns the webhook id.
        """
        webhook_id = webhook_id or f"wh_{os.urandom(6).hex()}"
        body: dict[str, Any] = {"url": url, "secret": secret}
        if events is not None:
            body["events"] = events
        request = urllib.request.Request(
            f"{self.api_base}/_config/webhooks/{webhook_id}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, f"localstripe refused the webhook registration: {response.status}"
        return webhook_id


def confirm_with_test_card(
    client: stripe.StripeClient, payment_intent_id: str, payment_method: str = "pm_card_visa"
) -> dict[str, Any]:
    """Play the buyer's browser: attach a test card to the PaymentIntent, then confirm it.

    Stripe.js would confirm with the payment method in one call; localstripe refuses
    ``confirm(payment_method=…)``, so the card is set with an update first (which Stripe accepts too).
    Returns the confirmed PaymentIntent as a dict.
    """
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": payment_method})
    return client.v1.payment_intents.confirm(payment_intent_id).to_dict()


def _wait_until_answering(api_base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"{api_base}/v1/customers?limit=1", headers={"Authorization": f"Bearer {API_KEY}"})
    while True:
        if process.poll() is not None:
            pytest.fail(
                f"localstripe exited with code {process.returncode}:\n{log.read_text(errors='replace')[-4000:]}"
            )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"localstripe did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-4000:]}"
            )
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def localstripe() -> Iterator[Localstripe]:
    """localstripe on 127.0.0.1 (a free port), with a fresh store in its own temporary directory."""
    if not LOCALSTRIPE_PYTHON.exists():
        pytest.fail(
            f"localstripe is not installed ({LOCALSTRIPE_VENV} is missing): run `make localstripe` "
            "(`make test` does it) to install it into its own virtualenv"
        )
    private_tmp = Path(tempfile.mkdtemp(prefix="localstripe-"))
    log = private_tmp / "localstripe.log"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["TMPDIR"] = str(private_tmp)
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(LOCALSTRIPE_PYTHON), "-c", _BOOTSTRAP, str(listener.fileno())],
            pass_fds=(listener.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=private_tmp,
        )
    listener.close()  # the child holds its own copy of the listening socket
    api_base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(api_base, process, log)
        yield Localstripe(
            api_base=api_base, api_key=API_KEY, pid=process.pid, client=build_stripe_client(API_KEY, api_base)
        )
    finally:
        _stop(process)
        shutil.rmtree(private_tmp, ignore_errors=True)


__all__ = ["API_KEY", "Localstripe", "confirm_with_test_card", "localstripe"]


def stripe_signature(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends: HMAC-SHA256 of ``"<t>.<body>"`` under the secret."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


class WebhookReceiver:
    """A tiny HTTP server on 127.0.0.1 keeping each delivery's raw body and ``Stripe-Signature`` header
    (localstripe cannot reach an in-process test client: tests relay what it delivered here)."""

    def __init__(self) -> None:
        self.deliveries: queue.Queue[tuple[bytes, str]] = queue.Queue()
        deliveries = self.deliveries

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                deliveries.put((body, self.headers.get("Stripe-Signature", "")))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/stripe"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events_for(
        self, payment_intent_id: str, types: set[str], timeout: float = 15.0
    ) -> dict[str, tuple[bytes, str]]:
        """The deliveries of ``types`` whose object is (or belongs to) the PaymentIntent."""
        found: dict[str, tuple[bytes, str]] = {}
        deadline = time.monotonic() + timeout
        while types - found.keys() and (left := deadline - time.monotonic()) > 0:
            try:
                body, signature = self.deliveries.get(timeout=left)
            except queue.Empty:
                break
            event = json.loads(body)
            obj = event["data"]["object"]
            if payment_intent_id in (obj.get("id"), obj.get("payment_intent")) and event["type"] in types:
                found[event["type"]] = (body, signature)
        assert not types - found.keys(), f"localstripe delivered no {types - found.keys()} for {payment_intent_id}"
        return found

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
