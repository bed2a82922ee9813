"""Checking annotation results and task imports with the kernel, errors as JSON paths."""

from __future__ import annotations

from typing import Any

from tracklabel.core.errors import SchemaError
from tracklabel.core.schema import to_builtins
from tracklabel.core.tasks import TaskFile, load_tasks

from .errors import ApiError
from .plugins import registry

_SOURCE = "body"


def check_tasks(raw: Any, config, frames_count: int | None = None, prefix: str = "$") -> TaskFile:
    """Load tasks as the CLI does; a problem is a 400 whose paths start at `prefix`."""
    try:
        return load_tasks(raw, registry(), config, frames_count, source=_SOURCE)
    except SchemaError as exc:
        problems = [{"path": _path(p.where, prefix), "message": p.message} for p in exc.problems]
        raise ApiError(400, "invalid", problems[0]["message"], problems[0]["path"],
                       problems=problems) from None


def check_result(result: Any, data: dict, config, frames_count: int | None = None) -> tuple[list, list[dict]]:
    """An annotation's result, normalised (sorted keyframes, `enabled` set, unknown keys kept),
    and the warnings; errors are 400 with paths like `$.result[0].value.sequence[2].x`."""
    if not isinstance(result, list):
        raise ApiError(400, "invalid", "result must be a list of regions", "$.result")
    raw = {"data": data, "annotations": [{"result": result}]}
    loaded = check_tasks(raw, config, frames_count, prefix="$")
    warnings = [{"path": _path(w.where, "$"), "message": w.message} for w in loaded.warnings]
    if not loaded.normalised:
        return result, warnings  # already as it would be written: keep it as sent
    return to_builtins(loaded.tasks[0].annotations[0].result), warnings


def _path(where: str, prefix: str) -> str:
    """`body: $.annotations[0].result[1].x` → `$.result[1].x`; `body: $[2].data` → `$[2].data`."""
    path = where.removeprefix(f"{_SOURCE}: ")
    path = path.replace("$.annotations[0].result", "$.result", 1)
    return prefix + path[1:] if path.startswith("$") else path
