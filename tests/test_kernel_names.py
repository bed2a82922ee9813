"""The kernel (core/) names no concrete tag, region type, export or import format, nor the
host: every name the loaded plugins register is looked for in its source, as a whole word."""

import re
from pathlib import Path

import pytest

from tracklabel.core.plugins import load_registry

CORE = Path(__file__).resolve().parent.parent / "core"
# words of the data model itself: a result's `labels`, the `video` an object names
MODEL_WORDS = {"labels", "label", "video", "view", "header"}


def registered_names() -> set[str]:
    registry = load_registry()
    names = set()
    for tag in registry.tags.values():
        names |= {tag.name.lower(), (tag.region_type or "").lower()}
    names |= set(registry.exporters) | set(registry.importers)
    return {n for n in names if n} - MODEL_WORDS


def core_sources() -> dict[str, str]:
    return {str(path.relative_to(CORE.parent)): path.read_text() for path in sorted(CORE.rglob("*.py"))}


def test_the_registry_has_the_builtins_looked_for():
    names = registered_names()
    assert {"videorectangle", "videopolygon", "mot", "cvat-video", "ls-json", "yolo-seg"} <= names


def named_at(name: str, sources: dict[str, str]) -> list[str]:
    """path:line of each place the name is written, in any case, with - or _ or nothing
    between its parts; inside an identifier too (VideoRectangleValue), except a short name
    (mot, yolo) that is then only found between non-letters (MOT_ORIGIN, not remote)."""
    parts = r"[-_]?".join(map(re.escape, name.split("-")))
    pattern = parts if len(name) > 4 else rf"(?<![a-z0-9]){parts}(?![a-z0-9])"
    word = re.compile(pattern, re.IGNORECASE)
    return [f"{path}:{text.count(chr(10), 0, m.start()) + 1}"
            for path, text in sources.items() for m in word.finditer(text)]


@pytest.mark.parametrize("text, name", [
    ("from .schema import VideoRectangleValue", "videorectangle"),
    ("if region.type == 'VIDEOPOLYGON':", "videopolygon"),
    ("def write_cvat_video(job):", "cvat-video"),
    ("LS_JSON = 1", "ls-json"),
    ("MOT_ORIGIN = 1", "mot"),
])
def test_a_name_is_found_inside_identifiers_and_strings(text, name):
    assert named_at(name, {"core/x.py": f"\n{text}\n"}) == ["core/x.py:2"]


def test_a_short_name_is_not_found_inside_a_word():
    assert named_at("mot", {"core/x.py": "remote = motion"}) == []


@pytest.mark.parametrize("name", sorted(registered_names()))
def test_core_names_no_registered_plugin(name):
    found = named_at(name, core_sources())
    assert not found, f"{name!r} is named in the kernel at {', '.join(found)}"


@pytest.mark.parametrize("text", ["tracklabel.host", "..host", "host/"])
def test_core_names_no_host(text):
    found = [path for path, source in core_sources().items() if text in source]
    assert not found, f"{text!r} is in {found}"
