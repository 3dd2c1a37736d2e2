"""Where downloaded evidence files live: a folder (the default) or an S3-compatible bucket;
the `evidence:` config section."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from bot.audit.chain import HOME_ENV
from bot.evidence.s3 import S3Config, s3_store

DEFAULT_MAX_FILE_MB = 25
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class EvidenceConfig(BaseModel):
    """`evidence:` in the YAML config: storage (a folder, or `s3`), file size limit, retention."""

    model_config = ConfigDict(extra="forbid")
    folder: Path | None = None
    s3: S3Config | None = None
    max_file_mb: float = Field(default=DEFAULT_MAX_FILE_MB, gt=0, le=1024)
    retention_days: int | None = Field(default=None, ge=1)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def default_folder(environ: dict[str, str] | None = None) -> Path:
    """$INCIDENT_DESK_HOME/evidence when set, else ~/.local/share/incident-desk/evidence."""
    env = dict(os.environ) if environ is None else environ
    home = env.get(HOME_ENV, "").strip()
    if home:
        return Path(home).expanduser() / "evidence"
    return Path.home() / ".local" / "share" / "incident-desk" / "evidence"


def safe_name(name: str | None, fallback: str = "file") -> str:
    """A file name safe in a path, a zip and a sha256sum manifest line."""
    cleaned = SAFE_NAME.sub("_", name or "").strip("._")[:120]
    return cleaned or fallback


class EvidenceStore(Protocol):
    """Stores file bytes under a relative name and returns a reference to read them back."""

    async def put(self, name: str, data: bytes) -> str: ...

    async def get(self, ref: str) -> bytes: ...

    async def delete(self, ref: str) -> bool: ...


class FolderStore:
    """Files under one folder: directories 0700, files 0600, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, ref: str) -> Path:
        path = (self.root / ref).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"evidence reference {ref!r} points outside the evidence folder")
        return path

    async def put(self, name: str, data: bytes) -> str:
        return await asyncio.to_thread(self._put, name, data)

    def _put(self, name: str, data: bytes) -> str:
        path = self._path(name)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), 0o600)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
        return name

    async def get(self, ref: str) -> bytes:
        return await asyncio.to_thread(self._path(ref).read_bytes)

    async def delete(self, ref: str) -> bool:
        """Remove the file; False when it was already gone."""
        path = self._path(ref)
        try:
            await asyncio.to_thread(path.unlink)
        except FileNotFoundError:
            return False
        with suppress(OSError):  # the evidence item's folder, once empty, goes too
            path.parent.rmdir()
        return True


def open_store(config: EvidenceConfig) -> EvidenceStore:
    """The bucket when `evidence.s3` is set, else the folder."""
    if config.s3 is not None:
        return s3_store(config.s3)
    return FolderStore(config.folder or default_folder())
