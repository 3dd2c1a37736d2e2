"""Core-level inputs for tests that act through the services directly."""

from __future__ import annotations

from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput

ADMIN = Actor(platform=Platform.SLACK, user_id="U0ADMIN1", name="ada")


def report_input(reach: Reach, personal: PersonalData = PersonalData.NO) -> ReportInput:
    return ReportInput(
        description="The reply quoted another client's figures",
        failure_type="contamination",
        reach=reach,
        personal_data=personal,
    )
