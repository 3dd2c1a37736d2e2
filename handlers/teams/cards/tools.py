"""The AI tools on Teams cards: the "Contained…" choice, the `tools` list, and the re-enable
sign-off form. The wording is the core's (bot/containment/tool_state.py)."""

from __future__ import annotations

from bot.containment.reenable import criterion_field
from bot.containment.tool_state import CONTAIN_QUESTION, MODE_OPTIONS, ContainMode, ToolStatus
from bot.settings import ReenableSignOff, RunbookTool
from handlers.teams.cards.elements import (
    Element,
    action_set,
    card,
    choice_input,
    error_text,
    execute,
    heading,
    markdown_of,
    text,
    text_input,
)
from handlers.teams.ids import InputId, Origin, Verb

TICKED = "true"


def contain_picker(incident_id: int, origin: Origin) -> list[Element]:
    """How the tool was contained, then the button that records it."""
    picker = choice_input(
        InputId.CONTAIN_MODE,
        CONTAIN_QUESTION,
        MODE_OPTIONS,
        value=ContainMode.SWITCHED_OFF.value,
        required=False,
    )
    data = {"incident_id": incident_id, "origin": origin.value}
    button = execute(Verb.CONTAINED, "Contained", data, style="positive", with_inputs=True)
    return [picker, action_set([button])]


def tools_text(statuses: list[ToolStatus]) -> str:
    if not statuses:
        return "No AI tools are in the runbook yet: add them under `runbook:` in the config."
    return "**AI tools**\n\n" + "\n".join(f"- {markdown_of(s.line)}" for s in statuses)


def reenable_form(
    tool: RunbookTool,
    signoff: ReenableSignOff,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> Element:
    """Every "safe enough" item as a tick and a note or link, submitted as one sign-off."""
    values = values or {}
    errors = errors or {}
    body: list[Element] = [
        heading(f"Re-enable {tool.name}"),
        text(
            "Re-enable only when every item below is true. Tick each one and say how it was "
            "checked (a note or a link)."
            + (" Two different approvers must each sign off." if signoff.two_approvers else "")
        ),
    ]
    if "" in errors:
        body.append(error_text(errors[""]))
    for i, criterion in enumerate(signoff.criteria):
        field = criterion_field(i)
        toggle: Element = {
            "type": "Input.Toggle",
            "id": f"{field}_tick",
            "title": criterion,
            "valueOn": TICKED,
            "valueOff": "false",
            "wrap": True,
        }
        if values.get(f"{field}_tick") == TICKED:
            toggle["value"] = TICKED
        body.append(toggle)
        body.append(
            text_input(
                field,
                "How it was checked",
                value=str(values.get(field) or "") or None,
                placeholder="A note, or a link to the eval run, ticket or log",
                required=False,
                multiline=False,
                max_length=1000,
            )
        )
        if field in errors:
            body.append(error_text(errors[field]))
    body.append(text("The sign-off is recorded in the audit log with your notes.", subtle=True))
    submit = execute(
        Verb.REENABLE_SUBMIT, "Sign off", {"tool": tool.id}, style="positive", with_inputs=True
    )
    return card(body, [submit])


def signed_off_card(status: ToolStatus, *, reenabled: bool) -> Element:
    said = (
        "✅ Signed off and re-enabled; its owners are told."
        if reenabled
        else "⏳ Your sign-off is recorded; a second, different approver must sign off before "
        "the tool is re-enabled."
    )
    return card([text(said), text(markdown_of(status.line))])
