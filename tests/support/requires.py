"""Tests that need something besides Python packages (a browser, a command-line tool).

`make test` and `.ci/run` install those first (scripts/install-test-deps), so a test never
skips: where a tool is still missing the test fails with a line that says what to install. A
skipped test would prove nothing on exactly the machine that lacks the tool.
"""

from __future__ import annotations

import pytest


def requires(present: bool, reason: str) -> pytest.MarkDecorator:
    """Mark a test, or a module as `pytestmark`, as needing something `present` says is there."""
    return pytest.mark.requires(present=present, reason=reason)


def check(item: pytest.Item) -> None:
    """Fail `item`, saying what to install, when something it requires is missing."""
    for mark in item.iter_markers("requires"):
        if mark.kwargs["present"]:
            continue
        reason = str(mark.kwargs["reason"])
        pytest.fail(f"{reason}: run scripts/install-test-deps (a missing tool fails)", False)
