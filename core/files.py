"""New files and folders with unique names whose modes follow the umask.

tempfile's mkstemp and mkdtemp make them private (0600, 0700) whatever the umask, and an output
moved into place from one keeps that mode; these are created as `open` and `mkdir` would.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_ATTEMPTS = 100


def new_file(folder: str | Path, prefix: str, suffix: str = "") -> Path:
    """A new empty file in `folder`: mode 0666 less the umask."""

    def create(path: Path) -> None:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))

    return _unique(folder, prefix, suffix, create)


def new_folder(folder: str | Path, prefix: str) -> Path:
    """A new empty folder in `folder`: mode 0777 less the umask."""
    return _unique(folder, prefix, "", lambda path: os.mkdir(path, 0o777))


def _unique(folder, prefix: str, suffix: str, create) -> Path:
    for _ in range(_ATTEMPTS):
        path = Path(folder) / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            create(path)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no unused name for {prefix}*{suffix} in {folder}")
