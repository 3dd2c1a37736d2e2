"""The core's composition: every domain service built from one context, and the incident hooks
subscribed in the order written here. `handlers/wiring.py` plugs the platforms in around it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clocks.regimes import Regime
from bot.clocks.service import Clocks
from bot.containment.reenable import ToolLife
from bot.containment.service import Containment
from bot.evidence.lifecycle import EvidenceService
from bot.incidents.access import AccessPolicy
from bot.incidents.cards import CardFanout
from bot.incidents.commands import Commands
from bot.incidents.context import DeskContext
from bot.incidents.hooks import IncidentHooks
from bot.incidents.intake import Intake
from bot.incidents.queries import Queries
from bot.incidents.triage import Triage
from bot.insights.dashboard import Dashboard
from bot.insights.digest import WeeklyDigest
from bot.insights.service import Insights
from bot.screening.intake import Screener
from bot.screening.suspected import SuspectedTriage


@dataclass
class Core:
    """The platform-neutral services one process runs."""

    ctx: DeskContext
    hooks: IncidentHooks
    access: AccessPolicy
    cards: CardFanout
    intake: Intake
    triage: Triage
    queries: Queries
    commands: Commands
    evidence: EvidenceService
    clocks: Clocks
    containment: Containment
    tools: ToolLife
    insights: Insights


def build_core(
    ctx: DeskContext,
    regimes: list[Regime],
    *,
    triage_channel: str | None = None,
    teams_triage_channel: str | None = None,
) -> Core:
    """Build every service and subscribe the incident hooks."""
    hooks = IncidentHooks()
    access = AccessPolicy(ctx)
    cards = CardFanout(ctx, hooks)
    triage = Triage(ctx, access, hooks, cards)
    queries = Queries(ctx, access)
    clocks = Clocks(
        ctx,
        triage,
        regimes,
        triage_channel=triage_channel,
        teams_triage_channel=teams_triage_channel,
    )
    containment = Containment(ctx, access, cards)
    tools = ToolLife(ctx, cards)
    suspected = SuspectedTriage(triage)
    dashboard = Dashboard(ctx, access)
    insights = Insights(
        ctx=ctx,
        access=access,
        screener=Screener(
            ctx,
            hooks,
            triage_channel=triage_channel,
            teams_triage_channel=teams_triage_channel,
        ),
        suspected=suspected,
        dashboard=dashboard,
        digest=WeeklyDigest(
            ctx, triage_channel=triage_channel, teams_triage_channel=teams_triage_channel
        ),
    )
    # The order hooks run in, inside the transaction of the change that fires them:
    # an admin's change: the clocks first (close and re-classification derive obligations),
    # then containment (pages owners on SEV1/SEV2), then screening keeps its hit decisions.
    hooks.changed += [clocks.on_change, containment.on_change, suspected.keep_decision]
    # a new incident: the triage channel's copy of the card (the nudge thread's root), then
    # the admins' dashboards.
    hooks.reported += [clocks.post_to_triage_channel, dashboard.on_report]
    # any card refresh: the dashboards of everyone the incident touches.
    hooks.refreshed += [dashboard.queue_refresh]
    return Core(
        ctx=ctx,
        hooks=hooks,
        access=access,
        cards=cards,
        intake=Intake(ctx, hooks, cards),
        triage=triage,
        queries=queries,
        commands=Commands(access, queries, tools),
        evidence=EvidenceService(ctx, access, cards),
        clocks=clocks,
        containment=containment,
        tools=tools,
        insights=insights,
    )
