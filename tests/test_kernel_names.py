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


@pytest.mark.parametrize("name", sorted(registered_names()))
def test_core_names_no_registered_plugin(name):
    word = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", re.IGNORECASE)
    found = [f"{path}:{text.count(chr(10), 0, m.start()) + 1}"
             for path, text in core_sources().items() for m in word.finditer(text)]
    assert not found, f"{name!r} is named in the kernel at {', '.join(found)}"


@pytest.mark.parametrize("text", ["tracklabel.host", "host/"])
def test_core_names_no_host(text):
    found = [path for path, source in core_sources().items() if text in source]
    assert not found, f"{text!r} is in {found}"
