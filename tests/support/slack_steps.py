"""Steps a Slack user takes, driven through the harness: report, click, close, add, export."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from sqlalchemy import inspect, select

from bot.exports.files import ExportFormat, render
from storage.models import (
    Base,
    Incident,
)
from tests.support.harness import Harness
from tests.support.slack_payloads import (
    add_evidence_values,
    add_to_incident_shortcut,
    block_action,
    close_values,
    load,
    message_shortcut,
    report_values,
    view_submission,
)


async def open_report(h: Harness, **message: Any) -> dict[str, Any]:
    """Press the message shortcut; returns the modal that was opened, with its id."""
    resp = await h.interact(message_shortcut(h.fake.response_url, **message))
    assert resp.status == 200
    await h.settle()
    call = h.fake.named("views.open")[-1]
    return {**call.json_arg("view"), "id": call.response["view"]["id"]}


async def open_global_report(h: Harness) -> dict[str, Any]:
    """Press the global shortcut: the report form about no particular message."""
    payload = load("message_action")
    for key in ("message", "message_ts", "channel"):
        payload.pop(key)
    payload.update(type="shortcut", callback_id="report_incident_global")
    resp = await h.interact(payload)
    assert resp.status == 200
    await h.settle()
    call = h.fake.named("views.open")[-1]
    return {**call.json_arg("view"), "id": call.response["view"]["id"]}


async def submit(
    h: Harness, view: dict[str, Any], *, user: str = "U0REPORTER", **values: Any
) -> dict[str, Any]:
    resp = await h.interact(
        view_submission(
            view_id=view["id"],
            callback_id=view["callback_id"],
            private_metadata=view["private_metadata"],
            values=report_values(**values),
            user=user,
        )
    )
    assert resp.status == 200
    body = await resp.text()
    await h.settle()
    return json.loads(body) if body else {}


Row = TypeVar("Row", bound=Base)


async def rows(h: Harness, model: type[Row]) -> list[Row]:
    """Every row of the table, in primary-key order."""
    query = select(model).order_by(*inspect(model).primary_key)
    async with h.app.db.sessions() as s:
        return list((await s.execute(query)).scalars().all())


async def click(h: Harness, user: str, action_id: str, incident_id: int, **kw: Any) -> None:
    resp = await h.interact(
        block_action(
            user=user,
            action_id=action_id,
            incident_id=incident_id,
            response_url=h.fake.response_url,
            **kw,
        )
    )
    assert resp.status == 200
    await h.settle()


def card_updates(h: Harness) -> dict[str, dict[str, Any]]:
    """The latest chat.update per admin DM channel."""
    latest: dict[str, dict[str, Any]] = {}
    for call in h.fake.named("chat.update"):
        latest[call.args["channel"]] = {"blocks": call.json_arg("blocks"), "ts": call.args["ts"]}
    return latest


async def close_form(h: Harness, incident: Incident, user: str = "U0ADMIN1") -> dict[str, Any]:
    await click(h, user, "triage_close", incident.id)
    call = h.fake.named("views.open")[-1]
    return {**call.json_arg("view"), "id": call.response["view"]["id"]}


async def submit_close(
    h: Harness, view: dict[str, Any], user: str = "U0ADMIN1", **values: Any
) -> dict[str, Any]:
    resp = await h.interact(
        view_submission(
            view_id=view["id"],
            callback_id=view["callback_id"],
            private_metadata=view["private_metadata"],
            values=close_values(**values),
            user=user,
        )
    )
    body = await resp.text()
    await h.settle()
    return json.loads(body) if body else {}


OTHER_MESSAGE: dict[str, Any] = {
    "ts": "1700000050.000200",
    "text": "Client A's Q3 margin was 31% (also from the Client B file).",
    "blocks": [],
    "files": [],
}


async def add_to_incident(
    h: Harness, *, user: str = "U0REPORTER", **message: Any
) -> dict[str, Any]:
    """Press "Add to incident…"; returns the modal as last updated, with its id."""
    payload = add_to_incident_shortcut(h.fake.response_url, **message)
    payload["user"] = {"id": user, "username": user.lower(), "name": user.lower()}
    resp = await h.interact(payload)
    assert resp.status == 200
    await h.settle()
    opened = h.fake.named("views.open")[-1]
    view_id = opened.response["view"]["id"]
    updates = [c for c in h.fake.named("views.update") if c.args["view_id"] == view_id]
    return {**updates[-1].json_arg("view"), "id": view_id}


async def choose(
    h: Harness, view: dict[str, Any], incident_id: int | None, user: str = "U0REPORTER"
) -> dict[str, Any]:
    resp = await h.interact(
        view_submission(
            view_id=view["id"],
            callback_id=view["callback_id"],
            private_metadata=view["private_metadata"],
            values=add_evidence_values(incident_id),
            user=user,
        )
    )
    body = await resp.text()
    await h.settle()
    return json.loads(body) if body else {}


def file_meta(name: str, url: str | None, size: int, file_id: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "id": file_id or f"F0{name.upper()[:6]}",
        "name": name,
        "mimetype": "application/pdf",
        "size": size,
    }
    if url is not None:
        meta["url_private"] = url
    return meta


async def export(h: Harness, fmt: ExportFormat) -> bytes:
    app = h.app
    made = await render(
        app.db, app.config, app.core.evidence.store, key="INC-0001", fmt=fmt, generated_by="test"
    )
    return made.data
