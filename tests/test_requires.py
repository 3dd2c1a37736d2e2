"""A test whose tool is missing fails and says what to install; it never skips."""

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


@pytest.mark.parametrize("ci", [None, "true"])
def test_missing_tool_fails_the_run_with_what_to_install_on_ci_or_not(
    suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)

    result = suite.runpytest()

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*frobnicator is not installed: run scripts/install-test-deps*"])
    assert result.ret != 0
