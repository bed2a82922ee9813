"""Label Studio's JSON-MIN export read back as tasks, with the project's labeling config.

JSON-MIN writes one flat record per annotation: the task's data keys, `id` (the task's),
one key per control tag holding the `value` of each of its regions (`"box": [{"sequence":
[...], "labels": [...], "framesCount": ...}]`, the region type left out, `original_width`
and `original_height` moved in), and `annotator`, `annotation_id`, `created_at`,
`updated_at`, `lead_time` (and `agreement`). The config tells which keys are control tags,
their region type and the object they label.
"""

from __future__ import annotations

from typing import Any

from tracklabel.core.errors import Problem, SchemaError

# record keys that describe the annotation, not the task's data: JSON-MIN key → annotation key
ANNOTATION_KEYS = {"annotation_id": "id", "annotator": "completed_by", "created_at": "created_at",
                   "updated_at": "updated_at", "lead_time": "lead_time"}
TASK_KEYS = ("id", "agreement")
REGION_KEYS = ("original_width", "original_height")  # JSON-MIN moves them into the value


def is_json_min(raw: Any) -> bool:
    """Whether decoded JSON is a JSON-MIN export: records with `annotation_id`, none with `data`."""
    records = [r for r in (raw if isinstance(raw, list) else [raw]) if isinstance(r, dict)]
    return (any("annotation_id" in r for r in records)
            and not any("data" in r for r in records))


def from_json_min(records: Any, config, source: str) -> list[dict]:
    """Label Studio tasks from JSON-MIN records; a record's annotation joins the task of an
    earlier record with the same task id. SchemaError names each record that is not one."""
    controls = {c.name: c for c in config.controls() if c.tag.region_type and c.to_names}
    tasks: dict[Any, dict] = {}
    problems: list[Problem] = []
    for i, record in enumerate(records if isinstance(records, list) else [records]):
        path = f"{source}: $[{i}]"
        if not isinstance(record, dict):
            problems.append(Problem(path, "expected an object (a JSON-MIN record)"))
            continue
        result = []
        for name, control in controls.items():
            if name in record:
                result += _regions(record[name], name, control, f"{path}.{name}", problems)
        task_id = record.get("id")
        key = task_id if isinstance(task_id, (int, str)) and not isinstance(task_id, bool) else ("#", i)
        task = tasks.get(key)
        if task is None:
            data = {k: v for k, v in record.items()
                    if k not in controls and k not in ANNOTATION_KEYS and k not in TASK_KEYS}
            task = tasks[key] = {"id": task_id, "data": data, "annotations": []} if "id" in record \
                else {"data": data, "annotations": []}
            if "agreement" in record:
                task["agreement"] = record["agreement"]
        if record.get("annotation_id") is not None or result:
            annotation = {ANNOTATION_KEYS[k]: record[k] for k in ANNOTATION_KEYS if k in record}
            annotation["result"] = result
            task["annotations"].append(annotation)
    if problems:
        raise SchemaError(problems)
    return list(tasks.values())


def _regions(values: Any, name: str, control, path: str, problems: list[Problem]) -> list[dict]:
    if not isinstance(values, list):
        problems.append(Problem(path, f"expected a list of region values for control tag {name!r}"))
        return []
    regions = []
    for j, value in enumerate(values):
        if not isinstance(value, dict):
            problems.append(Problem(f"{path}[{j}]", "expected an object (a region's value)"))
            continue
        region = {"type": control.tag.region_type, "from_name": name, "to_name": control.to_names[0],
                  "value": {k: v for k, v in value.items() if k not in REGION_KEYS}}
        region.update((k, value[k]) for k in REGION_KEYS if k in value)
        regions.append(region)
    return regions
