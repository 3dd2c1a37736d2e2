"""Where a command writes its file: checked before anything is recorded, written in one go."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.errors import DeskError


class OutputError(DeskError):
    """The output file cannot be written; the message says what to do."""


def check_output(path: Path | None, *, nothing: str) -> None:
    """Fail with one line before any work when `path` cannot be written; `nothing` says what
    was therefore not done ("Nothing was exported.")."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(
            f"{path} is a folder: give a file name, e.g. {path / 'report.html'}. {nothing}"
        )
    if not folder.is_dir():
        raise OutputError(
            f"the folder {folder} does not exist: create it or pick another. {nothing}"
        )
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"{path} cannot be written (permission denied). {nothing}")


def write(data: bytes, output: Path | None) -> None:
    """Write to `output`, or to standard output when it is None."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"could not write {output}: {exc.strerror or exc}.") from None
    print(f"wrote {output} ({len(data):,} bytes)", file=sys.stderr)
