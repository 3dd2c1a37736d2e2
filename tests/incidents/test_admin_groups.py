"""INCIDENT_ADMINS may name a Slack user group: its members can triage without a restart, a
change of members is audited once, and a group Slack cannot resolve keeps its last members."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from bot.incidents.admin_groups import AdminGroups
from storage.models import AuditEvent, Incident
from tests.support.harness import Harness
from tests.support.slack_steps import click, open_report, rows, submit

GROUP = "S0TRIAGERS"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"INCIDENT_ADMINS": f"U0ADMIN1,{GROUP}"}


def members(h: Harness, *users: str) -> None:
    h.fake.handlers["usergroups.users.list"] = lambda args: (
        {"users": list(users)} if args.get("usergroup") == GROUP else {"users": []}
    )


async def test_a_group_member_can_triage_and_the_change_is_audited(harness: Harness) -> None:
    assert harness.app.admin_groups is not None
    members(harness, "U0GROUPIE")
    await submit(harness, await open_report(harness))
    [incident] = await rows(harness, Incident)

    assert await harness.app.admin_groups.refresh() is True
    await click(harness, "U0GROUPIE", "triage_assign_me", incident.id)

    [incident] = await rows(harness, Incident)
    assert incident.assignee == "slack:U0GROUPIE"
    changes = [e for e in await rows(harness, AuditEvent) if e.action == "admins.changed"]
    assert [c.after for c in changes] == [{"admins": ["U0ADMIN1", "U0GROUPIE"], "groups": [GROUP]}]
    assert await harness.app.admin_groups.refresh() is False  # nothing new: nothing recorded


async def test_a_member_removed_from_the_group_is_refused(harness: Harness) -> None:
    assert harness.app.admin_groups is not None
    members(harness, "U0GROUPIE")
    await harness.app.admin_groups.refresh()
    await submit(harness, await open_report(harness))
    [incident] = await rows(harness, Incident)

    members(harness)
    assert await harness.app.admin_groups.refresh() is True
    await click(harness, "U0GROUPIE", "triage_assign_me", incident.id)

    [incident] = await rows(harness, Incident)
    assert incident.assignee is None
    refusal = harness.fake.named("chat.postEphemeral")[-1]
    assert "Only incident admins" in refusal.args["text"]
    changes = [e for e in await rows(harness, AuditEvent) if e.action == "admins.changed"]
    assert len(changes) == 2 and changes[-1].after == {"admins": ["U0ADMIN1"], "groups": [GROUP]}


async def test_a_group_slack_cannot_resolve_keeps_its_last_members(harness: Harness) -> None:
    assert harness.app.admin_groups is not None
    members(harness, "U0GROUPIE")
    await harness.app.admin_groups.refresh()

    harness.fake.fail("usergroups.users.list", error="missing_scope")
    assert await harness.app.admin_groups.refresh() is False

    assert harness.app.core.ctx.admins == frozenset({"U0ADMIN1", "U0GROUPIE"})


async def test_before_the_group_is_first_resolved_only_listed_people_are_admins(
    harness: Harness,
) -> None:
    assert harness.app.core.ctx.admins == frozenset({"U0ADMIN1"})
    assert GROUP not in harness.app.core.ctx.admins


async def test_two_replicas_seeing_the_same_change_audit_it_once(harness: Harness) -> None:
    ctx = harness.app.core.ctx
    replicas = [
        AdminGroups(
            replace(ctx),
            people=frozenset({"U0ADMIN1"}),
            groups=frozenset({GROUP}),
            members_of=lambda _: _members("U0GROUPIE"),
        )
        for _ in range(2)
    ]

    changed = await asyncio.gather(*(r.refresh() for r in replicas))

    assert changed == [True, True]  # each replica updated its own admins
    assert all(r.ctx.admins == frozenset({"U0ADMIN1", "U0GROUPIE"}) for r in replicas)
    events = [e for e in await rows(harness, AuditEvent) if e.action == "admins.changed"]
    assert len(events) == 1


async def _members(*users: str) -> set[str]:
    return set(users)
