"""What the commands share: warnings, the config option's loading, progress bars, and output
written beside its destination, moved into place when complete, never over what it did not write."""

from __future__ import annotations

import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .config import load_config
from .errors import InputError, Problem
from .files import new_file, new_folder


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


def force_option(command):
    """--force: replace an existing output (for a folder, only the files the command writes)."""
    return click.option("--force", is_flag=True,
                        help="Replace an existing output; in a folder, only the files written.")(command)


def check_output(path: Path, folder: bool, force: bool) -> None:
    """Refuse an output path that exists (unless `force`), is of the other kind, or lies
    under a file."""
    if not os.path.lexists(path):
        parent = next(p for p in Path(os.path.abspath(path)).parents if os.path.lexists(p))
        if not parent.is_dir():
            raise InputError(Problem(str(path), f"cannot write: {parent} is a file, not a folder"))
        return
    if folder and not path.is_dir():
        raise InputError(Problem(str(path), "is a file; the output is a folder"))
    if not folder and path.is_dir():
        raise InputError(Problem(str(path), "is a folder; the output is one file"))
    if not force:
        raise InputError(Problem(str(path), "exists; use --force to replace"
                                 + (" the files this export writes (others stay)" if folder else "")))


@contextmanager
def output_file(path: Path, force: bool):
    """Yield a new file's path beside `path`; it replaces `path` only when the block succeeds."""
    path = Path(path)
    check_output(path, False, force)
    target = Path(os.path.abspath(path))
    with _writing(path):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = new_file(target.parent, f".{target.name}.")
    try:
        yield str(tmp)
        check_output(path, False, force)  # nothing appeared there meanwhile
        with _writing(path):
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def output_folder(path: Path, force: bool):
    """Yield a new folder to write into. When the block succeeds it becomes `path`, or, when
    `path` is a folder already (with `force`), each file in it moves over its old version
    there and nothing else in `path` is touched. On failure nothing is left behind."""
    path = Path(path)
    check_output(path, True, force)
    target = Path(os.path.abspath(path))
    existing = target.is_dir()
    with _writing(path):
        if not existing:
            target.parent.mkdir(parents=True, exist_ok=True)
        # inside an existing folder: the same file system (moves are renames) even when it is
        # a mount point, and no need for a writable parent (--out .)
        tmp = new_folder(target if existing else target.parent, f".{target.name}.")
    try:
        yield tmp
        with _writing(path):
            if existing:
                _move_files(tmp, target)
            else:
                check_output(path, True, force)  # nothing appeared there meanwhile
                os.rename(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def output_stream(path: Path, force: bool):
    """`output_file` as an open binary stream."""
    with output_file(path, force) as tmp, open(tmp, "wb") as stream:
        yield stream


def _move_files(source: Path, target: Path) -> None:
    """Move every file under `source` to the same place under `target`, over its old version.
    Every destination is checked first, so a conflict moves nothing."""
    files = sorted(p for p in source.rglob("*") if not p.is_dir())
    for file in files:
        dest = target / file.relative_to(source)
        if dest.is_dir():
            raise InputError(Problem(str(dest), "is a folder; the output has a file there"))
        for parent in dest.parents:
            if parent == target:
                break
            if os.path.lexists(parent) and not parent.is_dir():
                raise InputError(Problem(str(parent), "is a file; the output has a folder there"))
    for file in files:
        dest = target / file.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, dest)


@contextmanager
def _writing(path: Path):
    """An OSError while creating or moving the output is bad output path: exit 2, naming it."""
    try:
        yield
    except OSError as exc:
        raise InputError(Problem(str(path), f"cannot write: {exc.strerror or exc}")) from None
