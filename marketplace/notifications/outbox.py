"""The e-mail sender: sends the outbox's notifications through SMTP (``aiosmtplib``), each at most once.

A pass claims due rows with ``SELECT … FOR UPDATE SKIP LOCKED`` (two senders never take the same row) and
marks them ``sending`` in that transaction, before any SMTP call: a sender killed mid-send leaves the row
``sending`` — visible to the platform admin on ``/admin/outbox`` — rather than sending it again. When the
server cannot be reached the rows go back to ``pending`` with a growing delay (30 s, 1 min, 2 min … 1 h);
after ``max_attempts`` they are ``failed``. A daily digest collects a user's rows due at 08:00 Beijing time
in one message. A notification older than ``stale_after`` is skipped (an inbox rebuilt long after, or
mail configured only later, must not send the past). Messages are in the user's chosen language, with a
signed unsubscribe link per kind (no login needed). ``serve`` runs it in a thread when
``MARKETPLACE_SMTP_URL`` is set; ``run-projections`` runs it in the worker process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

import aiosmtplib
from eventsourcing.postgres import PostgresDatastore

from projections.notifications.registry import KIND_WORDS, REGISTRY

log = logging.getLogger(__name__)


def unsubscribe_signature(secret: str, user_id: UUID, kind: str) -> str:
    """The signature of an unsubscribe link: only the platform can make one for a user and a kind."""
    return hmac.new(secret.encode(), f"unsubscribe:{user_id}:{kind}".encode(), hashlib.sha256).hexdigest()[:32]


def unsubscribe_path(secret: str, user_id: UUID, kind: str) -> str:
    return f"/unsubscribe/{user_id}/{kind}/{unsubscribe_signature(secret, user_id, kind)}"


def signature_ok(secret: str, user_id: UUID, kind: str, signature: str) -> bool:
    return hmac.compare_digest(unsubscribe_signature(secret, user_id, kind), signature)


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """``smtp://[user:password@]host[:port]`` (STARTTLS when offered) or ``smtps://`` (TLS from the start)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("MARKETPLACE_SMTP_URL: expected smtp://[user:password@]host[:port] or smtps://…")
        tls = parts.scheme == "smtps"
        return cls(parts.hostname, parts.port or (465 if tls else 25),
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None, tls)


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Letter:
    """One message to send and the outbox rows it settles."""

    rows: tuple[int, ...]
    to: str
    message: EmailMessage


CLAIM = (
    "SELECT id, user_id, position, seq, kind, digest, due_at, attempts FROM notification_outbox"
    " WHERE status = 'pending' AND next_attempt_at <= %(now)s AND due_at <= %(now)s"
    " ORDER BY id LIMIT %(limit)s FOR UPDATE SKIP LOCKED"
)
ITEM = ("SELECT event, title_zh, title_en, link FROM notification_items WHERE user_id = %s AND position = %s"
        " AND seq = %s")
ADDRESS = ("SELECT p.email, coalesce(l.language, 'zh') AS language FROM accounts_user_records r"
           " JOIN personal_data p ON p.user_id = r.id LEFT JOIN notification_languages l ON l.user_id = r.id"
           " WHERE r.id = %s AND r.active AND NOT r.erased")


class OutboxSender:
    def __init__(self, datastore: PostgresDatastore, *, smtp_url: str, sender: str, site_url: str,
                 secret: str, interval: float = 5.0, max_attempts: int = 8, backoff_first: float = 30.0,
                 backoff_max: float = 3600.0, stale_after: timedelta = timedelta(days=2),
                 batch: int = 100, timeout: float = 10.0, now: Callable[[], datetime] | None = None) -> None:
        self.datastore = datastore
        # Mail runs on the wall clock, like the events' timestamps (the application's clock is business time).
        self.now = now or (lambda: datetime.now(UTC))
        self.server = SmtpServer.from_url(smtp_url)
        self.sender = sender
        self.site_url = site_url.rstrip("/")
        self.secret = secret
        self.interval = interval
        self.max_attempts = max_attempts
        self.backoff_first = backoff_first
        self.backoff_max = backoff_max
        self.stale_after = stale_after
        self.batch = batch
        self.timeout = timeout
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one pass -----------------------------------------------------------------------------------------
    def run_once(self) -> SendReport:
        report = SendReport()
        now = self.now()
        letters = self._claim(now, report)
        if letters:
            asyncio.run(self._send_all(letters, now, report))
        return report

    def _claim(self, now: datetime, report: SendReport) -> list[Letter]:
        """Take the due rows (no other sender can), mark them ``sending``, and write their messages."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(CLAIM, {"now": now, "limit": self.batch})
            rows: list[dict[str, Any]] = list(curs.fetchall())
            letters: list[Letter] = []
            digests: dict[UUID, list[dict[str, Any]]] = {}
            for row in rows:
                if row["due_at"] < now - self.stale_after:
                    report.skipped.append(row["id"])
                    continue
                curs.execute(ADDRESS, (row["user_id"],))
                address = curs.fetchone()
                curs.execute(ITEM, (row["user_id"], row["position"], row["seq"]))
                item = curs.fetchone()
                if address is None or item is None:  # erased, deactivated, or an item gone with a rebuild
                    report.skipped.append(row["id"])
                    continue
                entry = {**row, **dict(item), "email": address["email"], "language": address["language"]}
                if row["digest"]:
                    digests.setdefault(row["user_id"], []).append(entry)
                else:
                    letters.append(self._letter([entry]))
            letters += [self._letter(entries) for entries in digests.values()]
            if report.skipped:
                curs.execute("UPDATE notification_outbox SET status = 'skipped' WHERE id = ANY(%s)",
                             (report.skipped,))
            claimed = [i for letter in letters for i in letter.rows]
            if claimed:
                curs.execute("UPDATE notification_outbox SET status = 'sending', attempts = attempts + 1"
                             " WHERE id = ANY(%s)", (claimed,))
        return letters

    def _letter(self, entries: list[dict[str, Any]]) -> Letter:
        first = entries[0]
        en = first["language"] == "en"
        lines: list[str] = []
        kinds: list[str] = []
        for e in entries:
            words = REGISTRY.words.get(e["event"], (e["event"], e["event"]))
            title = (e["title_en"] or e["title_zh"]) if en else (e["title_zh"] or e["title_en"])
            lines.append(f"{words[1] if en else words[0]}{': ' + title if title else ''}\n{self.site_url}{e['link']}")
            if e["kind"] not in kinds:
                kinds.append(e["kind"])
        message = EmailMessage()
        if len(entries) == 1 and not first["digest"]:
            words = REGISTRY.words.get(first["event"], (first["event"], first["event"]))
            subject = words[1] if en else words[0]
        else:
            subject = (f"Your daily digest: {len(entries)} notifications" if en
                       else f"每日摘要：{len(entries)} 条通知")
        message["Subject"] = f"{subject} · {'Patent marketplace' if en else '专利交易平台'}"
        message["From"] = self.sender
        message["To"] = first["email"]
        footer = []
        for kind in kinds:
            name = KIND_WORDS.get(kind, (kind, kind))
            link = f"{self.site_url}{unsubscribe_path(self.secret, first['user_id'], kind)}"
            footer.append(f"{'Stop e-mails about' if en else '退订此类邮件'} ({name[1] if en else name[0]}): {link}")
        inbox = f"{self.site_url}/inbox"
        head = "Your inbox" if en else "您的站内通知"
        message.set_content("\n\n".join(lines) + f"\n\n{head}: {inbox}\n\n" + "\n".join(footer) + "\n")
        message["List-Unsubscribe"] = f"<{self.site_url}{unsubscribe_path(self.secret, first['user_id'], kinds[0])}>"
        return Letter(tuple(e["id"] for e in entries), first["email"], message)

    async def _send_all(self, letters: list[Letter], now: datetime, report: SendReport) -> None:
        s = self.server
        client = aiosmtplib.SMTP(hostname=s.hostname, port=s.port, use_tls=s.use_tls, timeout=self.timeout)
        try:
            await client.connect()
            if s.username:
                await client.login(s.username, s.password or "")
        except Exception as exc:  # the server is down or refuses us: every letter waits for another try
            for letter in letters:
                self._failed(letter, now, exc, report)
            return
        try:
            for letter in letters:
                try:
                    await client.send_message(letter.message, sender=self.sender, recipients=[letter.to])
                except Exception as exc:
                    self._failed(letter, now, exc, report)
                else:
                    self._settle(letter.rows, "UPDATE notification_outbox SET status = 'sent', sent_at = %s,"
                                 " last_error = '' WHERE id = ANY(%s)", (now, list(letter.rows)))
                    report.sent += letter.rows
        finally:
            with contextlib.suppress(Exception):  # the letters are settled; a rude goodbye changes nothing
                await client.quit()

    def _failed(self, letter: Letter, now: datetime, exc: BaseException, report: SendReport) -> None:
        error = f"{type(exc).__name__}: {exc}"[:500]
        with self.datastore.transaction(commit=True) as curs:
            curs.execute("SELECT id, attempts FROM notification_outbox WHERE id = ANY(%s)", (list(letter.rows),))
            for row in curs.fetchall():
                attempts = int(row["attempts"])
                if attempts >= self.max_attempts:
                    curs.execute("UPDATE notification_outbox SET status = 'failed', last_error = %s WHERE id = %s",
                                 (error, row["id"]))
                    report.failed.append(row["id"])
                else:
                    delay = min(self.backoff_first * 2 ** (attempts - 1), self.backoff_max)
                    curs.execute("UPDATE notification_outbox SET status = 'pending', last_error = %s,"
                                 " next_attempt_at = %s WHERE id = %s",
                                 (error, now + timedelta(seconds=delay), row["id"]))
                    report.retrying.append(row["id"])
        log.warning("e-mail to user of outbox rows %s not sent: %s", list(letter.rows), error)

    def _settle(self, rows: tuple[int, ...], statement: str, args: tuple[Any, ...]) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(statement, args)

    # --- the thread ---------------------------------------------------------------------------------------
    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("outbox pass failed; retrying in %s s", self.interval)
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop, returning once the thread has ended: a sending pass in flight finishes first (whoever holds this duty's
        lease gives it back only then, so no other process starts the duty while this one still runs it)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def outbox_sender(settings: Any, datastore: PostgresDatastore) -> OutboxSender | None:
    """The sender the settings ask for, or None when ``MARKETPLACE_SMTP_URL`` is unset (the inbox alone)."""
    if not settings.smtp_url:
        return None
    return OutboxSender(datastore, smtp_url=settings.smtp_url, sender=settings.smtp_sender,
                        site_url=settings.site_url, secret=settings.secret_key)
