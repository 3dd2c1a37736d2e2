"""Tests that need something besides Python packages (a browser, a command-line tool).

On a developer's machine without it such a test is skipped with a reason that says what to
install. Under `CI=true` it fails instead: `.ci/run` installs everything the suite needs, so a
missing tool there is a broken pipeline, not a reason to pass quietly.
"""

from __future__ import annotations

import os

import pytest


def on_ci() -> bool:
    return os.environ.get("CI") == "true"


def requires(present: bool, reason: str) -> pytest.MarkDecorator:
    """Mark a test, or a module as `pytestmark`, as needing something `present` says is there."""
    return pytest.mark.requires(present=present, reason=reason)


def check(item: pytest.Item) -> None:
    """Skip (or, under CI=true, fail) `item` when something it requires is missing."""
    for mark in item.iter_markers("requires"):
        if mark.kwargs["present"]:
            continue
        reason = str(mark.kwargs["reason"])
        if on_ci():
            pytest.fail(f"{reason} (CI=true: a missing test dependency fails the run)", False)
        pytest.skip(reason)
