"""Bad data is not an outage: control characters are dropped from what people type, a value the
database refuses says so (and is logged), and only a real outage says "try again in a minute"."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError

from bot.errors import StorageRejected, StorageUnavailable
from storage.db import Database
from storage.models import Incident
from tests.support.harness import Harness
from tests.support.slack_steps import open_report, rows, submit


async def test_control_characters_are_dropped_from_a_report(harness: Harness) -> None:
    typed = "Client\x00 B's figures\x07 reached\r\nClient A\x1b[31m"

    answer = await submit(harness, await open_report(harness), description=typed)

    assert answer["response_action"] == "update"  # saved on SQLite and PostgreSQL alike
    [incident] = await rows(harness, Incident)
    assert incident.description == "Client B's figures reached\nClient A[31m"


async def test_a_value_the_database_refuses_is_rejected_not_an_outage(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(database_url)
    try:
        with pytest.raises(StorageRejected) as refused:
            async with db.transaction() as session:
                if db.is_sqlite:  # SQLite stores anything: raise what the driver would
                    raise DataError("INSERT", None, ValueError("NUL in text"))
                await session.execute(text("SELECT CAST(:v AS integer)"), {"v": "secret 42"})
    finally:
        await db.dispose()

    assert "try again in a minute" not in refused.value.message
    assert "could not store what was entered" in refused.value.message
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "database refused a write" in record.getMessage()
    assert "secret" not in record.getMessage()  # the value itself is not logged


async def test_an_outage_still_says_try_again(database_url: str) -> None:
    db = Database(database_url)
    try:
        with pytest.raises(StorageUnavailable) as outage:
            async with db.transaction():
                raise OperationalError("SELECT 1", None, ConnectionError("server closed"))
    finally:
        await db.dispose()

    assert "try again in a minute" in outage.value.message
