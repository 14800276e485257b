"""Settings: one frozen struct built from the environment at start-up (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_IPC_SCHEME = PROJECT_ROOT.parent / "shared" / "data" / "ipc" / "all_ipc.tsv.gz"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", "n"}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything configurable, documented in the README's configuration table."""

    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / "var"
    host: str = "127.0.0.1"
    port: int = 8000
    demo_data: bool = True
    secret_key: str = ""
    ipc_scheme_path: Path = DEFAULT_IPC_SCHEME
    run_projections_in_process: bool = True
    lock_timeout_seconds: int = 5
    pool_size: int = 10
    secure_cookies: bool = False
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        secret = env.get("MARKETPLACE_SECRET_KEY", "")
        return cls(
            database_url=env.get("MARKETPLACE_DATABASE_URL") or None,
            data_dir=Path(env.get("MARKETPLACE_DATA_DIR") or PROJECT_ROOT / "var").resolve(),
            host=env.get("MARKETPLACE_HOST") or "127.0.0.1",
            port=int(env.get("MARKETPLACE_PORT") or 8000),
            demo_data=_flag(env.get("MARKETPLACE_DEMO_DATA"), True),
            # Without a configured key, sessions are signed with a per-process random key:
            # safe, but logins do not survive a restart.
            secret_key=secret or secrets.token_hex(32),
            ipc_scheme_path=Path(env.get("MARKETPLACE_IPC_SCHEME") or DEFAULT_IPC_SCHEME),
            run_projections_in_process=_flag(env.get("MARKETPLACE_INPROCESS_PROJECTIONS"), True),
            lock_timeout_seconds=int(env.get("MARKETPLACE_LOCK_TIMEOUT") or 5),
            pool_size=int(env.get("MARKETPLACE_DB_POOL_SIZE") or 10),
            secure_cookies=_flag(env.get("MARKETPLACE_SECURE_COOKIES"), False),
            log_level=env.get("MARKETPLACE_LOG_LEVEL") or "INFO",
        )
