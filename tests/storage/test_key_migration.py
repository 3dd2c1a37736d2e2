"""Migration 0009 rewrites Slack message keys stored with the reporter's team id."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, text

from storage.migrate import upgrade

INSERT = (
    "INSERT INTO incidents (id, key, kind, status, description, failure_type, reach, "
    "personal_data, platform, source_key, created_by, created_at, updated_at) VALUES "
    "(:id, :key, 'incident', 'reported', 'd', 'contamination', 'reached_client', 'no', 'slack', "
    ":source, 'slack:U0', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
)


def test_old_keys_become_channel_and_ts_and_a_cross_side_duplicate_keeps_its_own(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0008")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(INSERT), {"id": 1, "key": "INC-0001", "source": "slack:T0A:C0X:1.1"})
        conn.execute(text(INSERT), {"id": 2, "key": "INC-0002", "source": "slack:T0B:C0X:1.1"})
        conn.execute(text(INSERT), {"id": 3, "key": "INC-0003", "source": "teams:t:c:m"})

    upgrade(url, "head")

    with engine.connect() as conn:
        keys: dict[str, str] = {
            row.key: row.source_key
            for row in conn.execute(text("SELECT key, source_key FROM incidents"))
        }
    engine.dispose()
    assert keys == {
        "INC-0001": "slack:C0X:1.1",
        "INC-0002": "slack:T0B:C0X:1.1",
        "INC-0003": "teams:t:c:m",
    }
