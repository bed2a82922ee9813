"""Fixtures for every test: the plugin registry and Label Studio's own files (checked in)."""

from pathlib import Path

import pytest

from tracklabel.core.plugins import load_registry

LABEL_STUDIO = Path(__file__).resolve().parent / "fixtures" / "label-studio"
LABEL_STUDIO_FILES = ("docs_example_region.json", "docs_video_object_detector.xml",
                      "video_object_tracking_template.xml")


@pytest.fixture(scope="session")
def registry():
    return load_registry()


def label_studio_files(folder: Path = LABEL_STUDIO) -> Path:
    """The folder of Label Studio's public files (its video tracking template, its docs'
    detector config and the docs' example region); a missing one fails the test, never skips it."""
    missing = [name for name in LABEL_STUDIO_FILES if not (folder / name).is_file()]
    if missing:
        pytest.fail(f"Label Studio fixtures missing from {folder}: {', '.join(missing)}")
    return folder


@pytest.fixture
def ls_fixtures():
    return label_studio_files()


pytest_plugins = ["host_support", "browser_support"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (browser tests screenshot failures)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
