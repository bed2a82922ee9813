"""Hypothesis strategies that turn a valid input into a hostile one: a value somewhere replaced
by one of the kind that broke importers before (NaN, huge integers, wrong types, bytes that are
not UTF-8, configparser interpolation, deep nesting), a piece removed, or the text cut short.

Examples are bounded (`fuzz_settings`) so `make test` stays quick; `make fuzz` runs the same
tests with TRACKLABEL_FUZZ_SCALE=20, twenty times as many examples each."""

from __future__ import annotations

import json
import math
import os
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st



def fuzz_settings(examples: int = 40):
    """Settings for a fuzz test: `examples`, times TRACKLABEL_FUZZ_SCALE when it is set."""
    return settings(max_examples=examples * int(os.environ.get("TRACKLABEL_FUZZ_SCALE", 1)),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


EVIL_TEXT = [
    "", " ", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "1e999", "0", "-0", "-1", "0.5",
    str(2**31), str(2**63), str(10**20), "9" * 400, "%(x)s", "%", "true", "null", "[]", "{}",
    "x", "\u00e9\u00e8", "\x00", "1,2", "1;2", "&amp;", "<", "\"", "'",
]
EVIL_BYTES = [b"\xff\xfe\xfa", b"\xc3", b"\x80abc"]

json_scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**31 - 1, 2**31, 2**63, -(2**63) - 1, 0, -1]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 1e16, -1e16, 5e-324]),
    st.text(max_size=8), st.sampled_from(EVIL_TEXT),
)
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6)


def _json_paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _json_paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_paths(item, path + (i,))


def _replace(value, path, new, delete=False):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if delete and not rest:
            out.pop(head, None)
        else:
            out[head] = _replace(value[head], rest, new, delete)
        return out
    out = list(value)
    if delete and not rest:
        del out[head]
    else:
        out[head] = _replace(value[head], rest, new, delete)
    return out


@st.composite
def mutated_json(draw, document, max_changes=3):
    """`document` (decoded JSON) with one to `max_changes` values replaced or keys removed."""
    for _ in range(draw(st.integers(1, max_changes))):
        paths = list(_json_paths(document))
        path = draw(st.sampled_from(paths))
        if path and draw(st.booleans()) and draw(st.booleans()):
            document = _replace(document, path, None, delete=True)
        else:
            document = _replace(document, path, draw(json_values))
    return document


def dump_json(document) -> bytes:
    """JSON text of a mutated document (numbers Python's json cannot write, as JSON's nearest)."""
    return json.dumps(document, allow_nan=True).encode()


_TOKEN = re.compile(rb"[^,;=\s\"<>/]+")


@st.composite
def mutated_text(draw, data: bytes, max_changes=3):
    """`data` with tokens (runs between separators) replaced, a line dropped, or cut short."""
    for _ in range(draw(st.integers(1, max_changes))):
        kind = draw(st.sampled_from(["token", "token", "token", "line", "cut", "bytes"]))
        tokens = list(_TOKEN.finditer(data))
        if kind == "token" and tokens:
            match = draw(st.sampled_from(tokens))
            new = draw(st.sampled_from(EVIL_TEXT) | st.text(max_size=6)).encode("utf-8")
            data = data[:match.start()] + new + data[match.end():]
        elif kind == "line":
            lines = data.split(b"\n")
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = b"\n".join(lines)
        elif kind == "cut" and data:
            data = data[:draw(st.integers(0, len(data) - 1))]
        elif kind == "bytes":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + draw(st.sampled_from(EVIL_BYTES)) + data[at:]
    return data


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def all_finite(value) -> bool:
    """No NaN or infinity anywhere in decoded JSON."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(all_finite(v) for v in value)
    return True
