"""`audit verify` covers the whole record: an incident row, its reporters and its evidence
changed or deleted outside the desk are each caught and named, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, create_engine, delete, select, update

from bot.audit.verify import ChainReport, verify_connection
from storage.audit_repository import SEALED_INCIDENT_COLUMNS
from storage.migrate import sync_url
from storage.models import Evidence, Incident, IncidentReporter
from tests.support.audit_ops import core_app, many_operations
from tests.support.harness import AUDIT_KEY

TAMPER = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
INCIDENTS = 6
WHEN = datetime(2020, 2, 2, 2, 2, 2, tzinfo=UTC)


@pytest.fixture
def record(database_url: str) -> Iterator[Engine]:
    """A database holding many real operations, and a sync engine on it."""

    async def run() -> None:
        app = core_app(database_url)
        await many_operations(app, incidents=INCIDENTS)
        await app.db.dispose()

    asyncio.run(run())
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()


def tampered(engine: Engine, change: Callable[[Connection], object]) -> ChainReport:
    """Apply `change` in a transaction, verify inside it, then roll it back."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            change(conn)
            return verify_connection(conn, AUDIT_KEY)
        finally:
            trans.rollback()


def _new_value(column: str) -> Any:
    if column.endswith("_at"):
        return WHEN
    if column == "classification":
        return {"tampered": True}
    return "tampered"


def test_an_untouched_record_verifies_and_says_so(record: Engine) -> None:
    with record.connect() as conn:
        report = verify_connection(conn, AUDIT_KEY)
    assert report.ok, report.message
    assert f"{INCIDENTS} incidents match the state sealed in the chain" in report.notes


@TAMPER
@given(number=st.integers(1, INCIDENTS), column=st.sampled_from(SEALED_INCIDENT_COLUMNS))
def test_an_edited_incident_field_is_named(record: Engine, number: int, column: str) -> None:
    key = f"INC-{number:04d}"

    def change(conn: Connection) -> None:
        conn.execute(
            update(Incident).where(Incident.key == key).values({column: _new_value(column)})
        )

    report = tampered(record, change)

    assert not report.ok
    if column == "key":
        assert report.message.startswith(f"record: {key}: key changed outside the desk after seq")
    else:
        assert report.message.startswith(f"record: {key}: {column} changed outside the desk")


@TAMPER
@given(number=st.integers(1, INCIDENTS))
def test_a_deleted_reporter_is_named(record: Engine, number: int) -> None:
    key = f"INC-{number:04d}"
    with record.connect() as conn:
        incident_id = conn.execute(select(Incident.id).where(Incident.key == key)).scalar_one()
        ref = (
            conn.execute(
                select(IncidentReporter.reporter).where(IncidentReporter.incident_id == incident_id)
            )
            .scalars()
            .first()
        )
    assert ref is not None

    report = tampered(
        record,
        lambda conn: conn.execute(
            delete(IncidentReporter).where(
                IncidentReporter.incident_id == incident_id, IncidentReporter.reporter == ref
            )
        ),
    )

    assert not report.ok
    assert report.message.startswith(f"record: {key}: reporter {ref} deleted outside the desk")


@TAMPER
@given(number=st.integers(1, INCIDENTS))
def test_a_deleted_incident_is_named(record: Engine, number: int) -> None:
    key = f"INC-{number:04d}"

    def change(conn: Connection) -> None:
        incident_id = conn.execute(select(Incident.id).where(Incident.key == key)).scalar_one()
        for table in (IncidentReporter, Evidence):
            conn.execute(delete(table).where(table.incident_id == incident_id))
        conn.execute(delete(Incident).where(Incident.id == incident_id))

    report = tampered(record, change)

    assert not report.ok
    assert report.message.startswith(f"record: {key}: the incident was deleted outside the desk")


@TAMPER
@given(number=st.integers(1, INCIDENTS), text=st.text(min_size=1, max_size=40))
def test_edited_evidence_content_is_named(record: Engine, number: int, text: str) -> None:
    key = f"INC-{number:04d}"

    def change(conn: Connection) -> None:
        incident_id = conn.execute(select(Incident.id).where(Incident.key == key)).scalar_one()
        row = conn.execute(
            select(Evidence.id, Evidence.content).where(Evidence.incident_id == incident_id)
        ).first()
        assert row is not None
        content = {**row.content, "message": {"text": f"edited: {text}", "files": []}}
        conn.execute(update(Evidence).where(Evidence.id == row.id).values(content=content))

    report = tampered(record, change)

    assert not report.ok
    assert f"{key}: evidence #1's content does not match its capture hash" in report.message


def test_evidence_rehashed_to_match_an_edit_is_still_named(record: Engine) -> None:
    def change(conn: Connection) -> None:
        row = conn.execute(select(Evidence.id).order_by(Evidence.id)).first()
        assert row is not None
        conn.execute(
            update(Evidence)
            .where(Evidence.id == row.id)
            .values(content={"forged": True}, sha256="0" * 64)
        )

    report = tampered(record, change)

    assert not report.ok
    assert "record: INC-0001: evidence #1's capture hash changed outside the desk" in report.message
