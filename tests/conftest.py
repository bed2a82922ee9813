"""Shared fixtures: the plugin registry and the Label Studio material in ../shared."""

from pathlib import Path

import pytest

from tracklabel.core.plugins import load_registry

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "fixtures" / "label-studio"


@pytest.fixture(scope="session")
def registry():
    return load_registry()


@pytest.fixture
def shared():
    if not SHARED.is_dir():
        pytest.skip(f"shared fixtures not found at {SHARED}")
    return SHARED


pytest_plugins = ["host_support", "browser_support"]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (browser tests screenshot failures)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
