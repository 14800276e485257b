"""Password hashing with argon2id (argon2-cffi; RFC 9106 low-memory parameters by default)."""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def use_parameters(parameters: Parameters) -> None:
    """Change the cost of new hashes (the test suite uses argon2's CHEAPEST profile)."""
    global _hasher, _dummy  # noqa: PLW0603 - one process-wide hasher, configured at start-up
    _hasher = PasswordHasher.from_parameters(parameters)
    _dummy = None


_dummy: str | None = None


def timing_equaliser() -> str:
    """A hash to verify against for unknown e-mails, so a miss costs as long as a wrong password."""
    global _dummy  # noqa: PLW0603 - computed once, on first use
    if _dummy is None:
        _dummy = _hasher.hash("timing-equaliser")
    return _dummy


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against its hash; hashes carry their own parameters."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
