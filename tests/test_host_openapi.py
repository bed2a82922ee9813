"""docs/openapi.yaml describes every route of the host, and only those."""

import re
from pathlib import Path

import pytest

OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


def documented() -> set[tuple[str, str]]:
    """(method, path) pairs of the file, read without a YAML library."""
    pairs, path = set(), None
    for line in OPENAPI.read_text().splitlines():
        match = re.match(r"^  (/\S*):$", line)
        if match:
            path = match.group(1)
        match = re.match(r"^    (get|post|put|patch|delete):", line)
        if match and path:
            pairs.add((match.group(1).upper(), path))
    return pairs


@pytest.fixture
def routes(app):
    pairs = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        choices = re.search(r"<any\(([^)]*)\):\w+>", path)  # <any(jpg, png):ext>: one path each
        paths = [path.replace(choices.group(0), c.strip()) for c in choices.group(1).split(",")] if choices else [path]
        pairs |= {(method, p) for p in paths for method in rule.methods - {"HEAD", "OPTIONS"}}
    return pairs


def test_every_route_is_documented(routes):
    assert routes - documented() == set()


def test_nothing_documented_is_missing(routes):
    assert documented() - routes == set()
