"""Shared test fixtures: where ../shared is, and skipping only when it is absent (a user's clone)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; skips the test when ../shared is absent (CI fails earlier if it is)."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail("../shared is missing in CI")
        pytest.skip("../shared is absent")
    return SHARED.joinpath(*parts)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return shared_path()
