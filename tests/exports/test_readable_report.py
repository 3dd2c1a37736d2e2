"""The report reads as a document: decisions as fields, codes as labels, events as sentences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clocks.decisions import DecisionInput, ObligationStatus
from bot.clocks.regimes import ClassificationAnswers, RiskLevel
from bot.domain import Actor, PersonalData, Platform
from bot.exports.files import ExportFormat
from tests.support.exports import full_incident
from tests.support.harness import Harness
from tests.support.slack_steps import export

ADMIN = Actor(platform=Platform.SLACK, user_id="U0ADMIN1", name="Ada Admin")


async def _decided(h: Harness) -> None:
    await full_incident(h, close=False)
    answers = ClassificationAnswers(
        personal_data=PersonalData.YES,
        risk_to_individuals=RiskLevel.RISK,
        aware_at=datetime.now(UTC) - timedelta(hours=5),
    )
    await h.app.core.clocks.classify(actor=ADMIN, incident_id=1, answers=answers)
    [ico, *_] = (await h.app.core.queries.view(incident_id=1)).obligations
    await h.app.core.clocks.decide(
        actor=ADMIN,
        obligation_id=ico.id,
        form=DecisionInput(
            decision=ObligationStatus.NOT_REQUIRED,
            rationale="Data was encrypted",
            details={"nature": "Revenue figures of one client"},
        ),
    )


async def test_a_decision_is_a_table_of_fields_not_a_python_dict(harness: Harness) -> None:
    await _decided(harness)

    html = (await export(harness, ExportFormat.HTML)).decode()
    md = (await export(harness, ExportFormat.MARKDOWN)).decode()

    assert "{&#x27;" not in html and "{'" not in md
    assert '<table class="decision">' in html
    assert '<td class="k">Nature</td><td>Revenue figures of one client</td>' in html
    assert '<td class="k">Rationale</td><td>Data was encrypted</td>' in html
    assert 'id="obligations"' in html and "td:nth-child(4) { white-space: nowrap; }" in html
    assert "Nature: Revenue figures of one client" in md


async def test_timeline_events_are_sentences_without_internal_names(harness: Harness) -> None:
    await _decided(harness)

    md = (await export(harness, ExportFormat.MARKDOWN)).decode()
    timeline = md.split("## Timeline")[1]

    for internal in ("incident.classified", "obligation.decided", "obligations.derived"):
        assert internal not in timeline
    assert "| Classified: " in timeline and "| Regulatory decision recorded: " in timeline
    assert "Risk to individuals: risk" in timeline


async def test_people_and_places_are_named_as_captured_with_their_ids(harness: Harness) -> None:
    await full_incident(harness, close=False)

    md = (await export(harness, ExportFormat.MARKDOWN)).decode()

    assert "| Channel | #client-a-engagement (C0CLIENTA) |" in md
    assert "- Channel: #client-a-engagement (C0CLIENTA)" in md
    assert "(slack:U0REPORTER)" in md.split("## Summary")[1].split("##")[0]
