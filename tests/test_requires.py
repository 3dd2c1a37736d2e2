"""A test whose tool is missing is skipped on a laptop and fails under CI=true."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

CONFTEST = """
import pytest
from tests.support.requires import check

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    check(item)
"""

TESTS = """
from tests.support.requires import requires

@requires(False, "frobnicator is not installed")
def test_needs_the_frobnicator():
    raise AssertionError("must not run")

@requires(True, "always there")
def test_needs_what_is_there():
    pass
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini(
        "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        "markers = requires(present, reason): see tests/support/requires.py\n"
    )
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_tools=TESTS)
    return pytester


def test_missing_tool_skips_with_its_reason_off_ci(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)

    result = suite.runpytest("-rs")

    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*frobnicator is not installed*"])


def test_missing_tool_fails_the_run_under_ci(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")

    result = suite.runpytest()

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*frobnicator is not installed (CI=true*"])
    assert result.ret != 0
