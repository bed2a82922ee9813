"""Every hook has a one-line docstring, a section in docs/plugins.md and a test."""

import inspect
import re
from pathlib import Path

import pytest

from tracklabel.core import hookspecs
from tracklabel.core.plugins import REGISTRY_HOOKS

TESTS = Path(__file__).resolve().parent
DOC = TESTS.parent / "docs" / "plugins.md"
HOOKS = [function for _, function in inspect.getmembers(hookspecs, inspect.isfunction)
         if hasattr(function, f"{hookspecs.hookspec.project_name}_spec")]


def test_hooks_are_found():
    assert {hook.__name__ for hook in HOOKS} >= {*REGISTRY_HOOKS.values(), "choose_interpolator"}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.__name__)
def test_hook_has_a_one_line_docstring(hook):
    doc = (hook.__doc__ or "").strip()
    assert doc and "\n" not in doc


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.__name__)
def test_hook_has_a_section_in_docs_plugins_md(hook):
    signature = f"`{hook.__name__}{inspect.signature(hook)}`"
    prose = re.sub(r"^```.*?^```", "", DOC.read_text(), flags=re.M | re.S)
    headings = re.findall(r"^#+ .*$", prose, flags=re.M)
    assert any(signature in heading for heading in headings), \
        f"docs/plugins.md has no heading with {signature}"


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.__name__)
def test_hook_is_tested(hook):
    name = re.compile(rf"\b{hook.__name__}\b")
    tests = [path for path in TESTS.glob("test_*.py") if path.name != "test_docs.py"]
    assert any(name.search(path.read_text()) for path in tests), \
        f"no tests/test_*.py mentions {hook.__name__}"
