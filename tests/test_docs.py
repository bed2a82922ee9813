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


# --- the repository stands alone: no file points outside it, its fixtures are its own ---

REPOSITORY = TESTS.parent
NOT_THE_REPOSITORY = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "build",
                      "demo-data", "tracklabel-data", "test-artifacts"}  # tools' and runs' leftovers
OUTSIDE = ("../" + "shared", "DESIGN" + ".md")  # spelt in two parts so this file passes


def repository_files():
    for path in sorted(REPOSITORY.rglob("*")):
        parts = path.relative_to(REPOSITORY).parts
        if path.is_file() and not any(p in NOT_THE_REPOSITORY or p.endswith(".egg-info") for p in parts):
            yield path


def test_no_file_points_outside_the_repository():
    found = [f"{path.relative_to(REPOSITORY)}:{number}: {line.strip()}"
             for path in repository_files()
             for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), 1)
             if any(name in line for name in OUTSIDE)]
    assert not found, "these lines point outside the repository:\n" + "\n".join(found)


def test_the_frame_rules_are_documented_here():
    assert "docs/frames.md" in (REPOSITORY / "README.md").read_text()
    text = (REPOSITORY / "docs" / "frames.md").read_text()
    for heading in ("## Frame numbers", "### Interpolation", "### Lifespan", "### Edits",
                    "## Export conventions"):
        assert heading in text


def test_label_studio_fixtures_are_checked_in_and_a_missing_one_fails(tmp_path):
    from conftest import LABEL_STUDIO, LABEL_STUDIO_FILES, label_studio_files

    assert LABEL_STUDIO.is_relative_to(TESTS) and label_studio_files() == LABEL_STUDIO
    assert all((LABEL_STUDIO / name).is_file() for name in LABEL_STUDIO_FILES)
    with pytest.raises(pytest.fail.Exception, match="docs_example_region.json"):
        label_studio_files(tmp_path)
