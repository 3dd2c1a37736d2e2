"""Modal submissions: the report form and the close form."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import Platform, ReportResult, is_row_id
from bot.errors import DeskError, InvalidInput, StorageRejected, StorageUnavailable
from bot.incidents import notices
from bot.incidents.forms import parse_close, report_answers
from bot.incidents.spool import ReportSpooled
from handlers.slack.blocks.elements import input_values
from handlers.slack.blocks.evidence import added_modal
from handlers.slack.blocks.modals import not_saved_modal, reported_modal, saving_modal
from handlers.slack.blocks.text import Mrkdwn, md, mrkdwn_of
from handlers.slack.deps import actor_from, deps
from handlers.slack.ids import BlockId, CallbackId
from handlers.slack.metadata import CardRef, ReportMeta, parse

log = logging.getLogger(__name__)


def _errors(exc: InvalidInput, default_block: BlockId) -> dict[str, str]:
    known = {b.value for b in BlockId}
    return {
        (field if field in known else default_block.value): message[:150]
        for field, message in exc.fields.items()
    }


# Slack shows the reporter an error when a submission is not acked within 3 s; a save still
# running at this point is finished in the background behind a "saving…" view instead.
SAVE_BUDGET_SECONDS = 2.5

NOT_SAVED = (
    "Could not be saved: nothing was recorded. Your text is still here; please press Report "
    "again in a minute."
)


def submission_key(body: dict[str, Any], view: dict[str, Any]) -> str:
    """What identifies one submitted form: Slack keeps a modal's view id across a resubmission
    and a redelivered request, and gives every new form a new one."""
    team = (body.get("team") or {}).get("id") or view.get("team_id") or "-"
    return f"slack:{team}:view:{view['id']}"


async def submit_report(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    """Save before acking, so a failure keeps the form open with the reporter's text in it;
    a save slower than Slack allows acks "saving…" and finishes behind it."""
    core = deps(context)
    try:
        meta = parse(ReportMeta, view.get("private_metadata"))
        values = input_values(view)
        form = core.intake.parse_report(**report_answers(values))
    except InvalidInput as exc:
        await ack(response_action="errors", errors=_errors(exc, BlockId.DESCRIPTION))
        return
    save = asyncio.ensure_future(
        core.intake.report(
            actor=actor_from(body),
            form=form,
            platform=Platform.SLACK,
            source_key=meta.source_key,
            channel_id=meta.channel_id,
            draft_form_id=view["id"] if meta.source_key else None,
            submission_key=submission_key(body, view),
            spool_if_down=True,
        )
    )
    done, _ = await asyncio.wait({save}, timeout=SAVE_BUDGET_SECONDS)
    if not done:
        await ack(response_action="update", view=saving_modal())
        await _finish_in_background(save, client, view_id=view["id"], text=form.description)
        return
    try:
        result = save.result()
    except ReportSpooled as exc:
        await ack(response_action="update", view=reported_modal(f":inbox_tray: {exc.message}"))
        return
    except InvalidInput as exc:
        await ack(response_action="errors", errors=_errors(exc, BlockId.DESCRIPTION))
        return
    except StorageRejected as exc:
        await ack(response_action="errors", errors={BlockId.DESCRIPTION.value: exc.message[:150]})
        return
    except StorageUnavailable:
        await ack(response_action="errors", errors={BlockId.DESCRIPTION.value: NOT_SAVED})
        return
    await ack(response_action="update", view=reported_modal(_answer(result)))


def _answer(result: ReportResult) -> Mrkdwn:
    text = mrkdwn_of(notices.report_answer(result))
    return md(":white_check_mark: {}", text) if result.created else text


async def _finish_in_background(
    save: asyncio.Future[ReportResult], client: AsyncWebClient, *, view_id: str, text: str
) -> None:
    """Wait for the save the ack could not; then replace "saving…" with its answer. The
    reporter's notice names the key too, so a closed modal loses nothing."""
    try:
        result = await save
    except ReportSpooled as exc:
        answer = reported_modal(f":inbox_tray: {exc.message}")
    except DeskError as exc:
        log.warning("report form %s not saved after its ack: %s", view_id, exc.message)
        answer = not_saved_modal(text)
    else:
        answer = reported_modal(_answer(result))
    try:
        await client.views_update(view_id=view_id, view=answer)
    except SlackApiError as exc:
        # The reporter closed the modal meanwhile; the outbox notice still tells them.
        log.info("report form %s not updated: %s", view_id, exc.response.get("error"))


async def submit_close(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    core = deps(context)
    values = input_values(view)
    try:
        ref = parse(CardRef, view.get("private_metadata"))
        form = parse_close(values)
        await core.triage.close(actor=actor_from(body), incident_id=ref.incident_id, form=form)
    except InvalidInput as exc:
        await ack(response_action="errors", errors=_errors(exc, BlockId.RATIONALE))
        return
    except DeskError as exc:
        await ack(response_action="errors", errors={BlockId.RATIONALE.value: exc.message[:150]})
        return
    await ack()


async def submit_add_evidence(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    """Save before acking, like the report form: a failure keeps the form open and says why."""
    core = deps(context)
    try:
        meta = parse(ReportMeta, view.get("private_metadata"))
        chosen = input_values(view).get(BlockId.INCIDENT) or ""
        if not is_row_id(chosen):
            raise InvalidInput({BlockId.INCIDENT.value: "Pick an incident."})
        added = await core.evidence.add(
            actor=actor_from(body),
            incident_id=int(chosen),
            source_key=meta.source_key,
            draft_form_id=view["id"],
        )
    except InvalidInput as exc:
        await ack(response_action="errors", errors=_errors(exc, BlockId.INCIDENT))
        return
    except DeskError as exc:
        await ack(response_action="errors", errors={BlockId.INCIDENT.value: exc.message[:150]})
        return
    if added.already:
        text = f"This message is already evidence #{added.number} of *{added.incident_key}*."
    else:
        text = (
            f":white_check_mark: Added to *{added.incident_key}* as evidence #{added.number}. "
            "The incident admins' cards show it."
        )
    await ack(response_action="update", view=added_modal(text))


def register(app: AsyncApp) -> None:
    app.view(CallbackId.REPORT_MODAL.value)(submit_report)
    app.view(CallbackId.CLOSE_MODAL.value)(submit_close)
    app.view(CallbackId.ADD_EVIDENCE_MODAL.value)(submit_add_evidence)
