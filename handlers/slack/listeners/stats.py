"""`/incident stats [30d|90d|all]` and `/incident stats rules`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext

from bot.domain import Actor
from bot.errors import DeskError, InvalidInput
from bot.insights.stats import parse_period, period_label
from handlers.slack.blocks.stats import rules_message, stats_message
from handlers.slack.blocks.text import shown
from handlers.slack.deps import insights


async def stats_command(
    context: AsyncBoltContext, actor: Actor, rest: str, respond: AsyncRespond
) -> None:
    """Admins only: counts say where incidents happen, which is for triagers to read."""
    service = insights(context)
    arg = rest.strip().split(" ")[0].lower() if rest.strip() else ""
    try:
        if arg == "rules":
            table = await service.rule_stats(actor=actor)
            text, blocks = rules_message(table, service.screener.config.threshold)
        else:
            period = parse_period(arg or None)
            stats = await service.stats(actor=actor, period=period)
            text, blocks = stats_message(stats, period_label(period), service.ctx.config)
    except InvalidInput:
        await respond(
            text="Usage: `/incident stats [30d|90d|all]` (any number of days works, e.g. `7d`) "
            "or `/incident stats rules`.",
            response_type="ephemeral",
        )
        return
    except DeskError as exc:
        await respond(text=shown(exc.message), response_type="ephemeral")
        return
    await respond(text=shown(text), blocks=blocks, response_type="ephemeral")
