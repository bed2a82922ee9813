"""What the commands share: warnings, the config option's loading, progress bars, atomic output."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click

from .config import load_config


def warn(warnings) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def read_config(config_file, registry):
    if config_file is None:
        return None
    config = load_config(config_file, registry)
    warn(config.warnings)
    return config


@contextmanager
def progress_bar(length: int, label: str):
    """A progress bar on an interactive stderr; silence otherwise. Yields update(n)."""
    if not sys.stderr.isatty():
        yield lambda n: None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update


@contextmanager
def atomic_path(path: Path):
    """A temporary file path beside `path`, moved into place only when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


@contextmanager
def atomic(path: Path, single_file: bool):
    """Write beside `path` and move into place only when complete; nothing left on failure.
    Yields a binary stream (one file) or a fresh folder."""
    if single_file:
        with atomic_path(path) as tmp, open(tmp, "wb") as stream:
            yield stream
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
