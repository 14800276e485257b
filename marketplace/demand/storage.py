"""Where materials' bytes are kept: outside the event log, content-addressed by SHA-256.

``FileMaterialStore`` keeps each file once under the data directory (``<data dir>/materials/ab/abcd…``),
written to a temporary file and renamed into place, so a reader never sees half a file and the same
file attached twice is stored once. ``MemoryMaterialStore`` serves the unit tests.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from domain.demand.materials import digest


class MaterialStore(Protocol):
    def put(self, content: bytes) -> str:
        """Keep ``content``; its SHA-256 (hex)."""

    def get(self, sha256: str) -> bytes | None:
        """The bytes kept under ``sha256``, or ``None``."""


class MemoryMaterialStore:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, content: bytes) -> str:
        key = digest(content)
        self.files[key] = content
        return key

    def get(self, sha256: str) -> bytes | None:
        return self.files.get(sha256)


class FileMaterialStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256

    def put(self, content: bytes) -> str:
        key = digest(content)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return key

    def get(self, sha256: str) -> bytes | None:
        try:
            return self._path(sha256).read_bytes()
        except (FileNotFoundError, ValueError):
            return None
