"""Settings: one frozen struct built from the environment at start-up (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_IPC_SCHEME = PROJECT_ROOT.parent / "shared" / "data" / "ipc" / "all_ipc.tsv.gz"

#: Demo payee for bank transfers (对公转账): NOT a real account; set MARKETPLACE_BANK_* in production.
DEMO_BANK_ACCOUNT_NAME = "演示专利交易平台有限公司 Demo Patent Exchange Ltd. (DEMO, not a real account)"
DEMO_BANK_NAME = "演示银行福州分行 Demo Bank, Fuzhou Branch (DEMO)"
DEMO_BANK_ACCOUNT_NUMBER = "0000 0000 0000 0000 000 (DEMO)"

#: Fujian's minimum public notice (公示) of a negotiated price before a deal is signed, in days:
#: 福建省进一步促进科技成果转移转化的若干规定 (闽政〔2016〕33号); policy_params.json
#: ``pricing_and_publicity.negotiated_price_publicity_min_days_fujian``.
MIN_NOTICE_DAYS = 15


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", "n"}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything configurable, documented in the README's configuration table."""

    database_url: str | None = None
    read_database_url: str | None = None  # a read-only replica for the web's queries; None: the primary
    data_dir: Path = PROJECT_ROOT / "var"
    host: str = "127.0.0.1"
    port: int = 8000
    demo_data: bool = True
    secret_key: str = ""
    ipc_scheme_path: Path = DEFAULT_IPC_SCHEME
    run_projections_in_process: bool = True
    lock_timeout_seconds: int = 5
    pool_size: int = 10
    todo_count_seconds: float = 5.0  # how long the header's to-do count is reused while no read model moves
    #: How long a web command waits for every read model to apply its events before it answers (read your writes).
    read_wait_seconds: float = 5.0
    secure_cookies: bool = False
    log_level: str = "INFO"
    stripe_api_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_publishable_key: str | None = None  # pk_…: the card form (Stripe.js) on the payment page
    stripe_api_base: str | None = None  # None: Stripe's own API
    stripe_localstripe_compat: bool = False  # only against the test suite's localstripe emulator
    bank_account_name: str = DEMO_BANK_ACCOUNT_NAME
    bank_name: str = DEMO_BANK_NAME
    bank_account_number: str = DEMO_BANK_ACCOUNT_NUMBER
    platform_fee_rate: int = 100  # basis points of each payment received (100 = 1 %)
    notice_days: int = MIN_NOTICE_DAYS
    materials_dir: Path | None = None  # None: ``<data_dir>/materials``
    smtp_url: str | None = None  # smtp://user:password@host:port (smtps:// for TLS); None: the inbox alone
    smtp_sender: str = "noreply@localhost"
    public_url: str = ""  # the site's address in e-mails' links; "": http://<host>:<port>

    @property
    def site_url(self) -> str:
        """The address e-mails link to."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def materials_path(self) -> Path:
        """Where listings' materials (PDFs, images) are kept, content-addressed by SHA-256."""
        return self.materials_dir or self.data_dir / "materials"

    def __post_init__(self) -> None:
        """Refuse, at start-up, a configuration that would break a rule of the trade."""
        if self.notice_days < MIN_NOTICE_DAYS:
            raise ValueError(
                f"MARKETPLACE_NOTICE_DAYS: must be at least {MIN_NOTICE_DAYS} days, the Fujian minimum "
                f"public notice (公示) of a negotiated price (闽政〔2016〕33号); got {self.notice_days}"
            )
        if not 0 <= self.platform_fee_rate <= 10_000:
            raise ValueError(
                f"MARKETPLACE_PLATFORM_FEE_BP: must be between 0 and 10000 basis points; got {self.platform_fee_rate}"
            )
        if not 0 <= self.read_wait_seconds <= 600:  # also refuses NaN, with which a command would wait for ever
            raise ValueError(
                f"MARKETPLACE_READ_WAIT_SECONDS: must be between 0 and 600 seconds; got {self.read_wait_seconds}"
            )
        if self.stripe_api_key and not self.stripe_webhook_secret:
            raise ValueError(
                "MARKETPLACE_STRIPE_WEBHOOK_SECRET: must be set with MARKETPLACE_STRIPE_API_KEY, "
                "otherwise no Stripe payment could ever be confirmed"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        secret = env.get("MARKETPLACE_SECRET_KEY", "")
        return cls(
            database_url=env.get("MARKETPLACE_DATABASE_URL") or None,
            read_database_url=env.get("MARKETPLACE_READ_DATABASE_URL") or None,
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
            todo_count_seconds=float(env.get("MARKETPLACE_TODO_COUNT_SECONDS") or 5.0),
            read_wait_seconds=float(env.get("MARKETPLACE_READ_WAIT_SECONDS") or 5.0),
            secure_cookies=_flag(env.get("MARKETPLACE_SECURE_COOKIES"), False),
            log_level=env.get("MARKETPLACE_LOG_LEVEL") or "INFO",
            stripe_api_key=env.get("MARKETPLACE_STRIPE_API_KEY") or None,
            stripe_webhook_secret=env.get("MARKETPLACE_STRIPE_WEBHOOK_SECRET") or None,
            stripe_publishable_key=env.get("MARKETPLACE_STRIPE_PUBLISHABLE_KEY") or None,
            stripe_api_base=env.get("MARKETPLACE_STRIPE_API_BASE") or None,
            stripe_localstripe_compat=_flag(env.get("MARKETPLACE_STRIPE_LOCALSTRIPE"), False),
            bank_account_name=env.get("MARKETPLACE_BANK_ACCOUNT_NAME") or DEMO_BANK_ACCOUNT_NAME,
            bank_name=env.get("MARKETPLACE_BANK_NAME") or DEMO_BANK_NAME,
            bank_account_number=env.get("MARKETPLACE_BANK_ACCOUNT_NUMBER") or DEMO_BANK_ACCOUNT_NUMBER,
            platform_fee_rate=int(env.get("MARKETPLACE_PLATFORM_FEE_BP") or 100),
            notice_days=int(env.get("MARKETPLACE_NOTICE_DAYS") or MIN_NOTICE_DAYS),
            materials_dir=Path(env["MARKETPLACE_MATERIALS_DIR"]).resolve() if env.get("MARKETPLACE_MATERIALS_DIR")
            else None,
            smtp_url=env.get("MARKETPLACE_SMTP_URL") or None,
            smtp_sender=env.get("MARKETPLACE_SMTP_SENDER") or "noreply@localhost",
            public_url=(env.get("MARKETPLACE_PUBLIC_URL") or "").rstrip("/"),
        )
