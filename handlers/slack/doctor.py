"""`incident-desk doctor`, the Slack part: asks Slack itself whether the token works, has the
manifest's scopes, can post in the triage channel, and whether each admin id is a person."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import yaml
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import Platform
from bot.incidents.cards import platform_of
from bot.settings import Settings
from handlers.slack.app import build_client

MANIFEST = Path(__file__).resolve().parents[2] / "manifests" / "slack" / "manifest.yaml"
MEMBER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
Finding = tuple[bool, str]


def manifest_scopes(path: Path = MANIFEST) -> set[str]:
    """The bot scopes the shipped manifest asks for."""
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return set(manifest["oauth_config"]["scopes"]["bot"])


async def check_slack(settings: Settings) -> list[Finding]:
    """Every Slack finding; nothing when Slack is not configured."""
    if not settings.slack_enabled:
        return []
    client = build_client(settings)
    try:
        auth = await client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        return [
            (
                False,
                f"slack: auth.test refused the token ({error}): copy the Bot User OAuth Token "
                "(xoxb-…) from OAuth & Permissions into SLACK_BOT_TOKEN",
            )
        ]
    except (aiohttp.ClientError, TimeoutError) as exc:
        return [
            (
                False,
                f"slack: cannot reach Slack ({type(exc).__name__}): check this host's outbound "
                "HTTPS access to slack.com (and any proxy)",
            )
        ]
    findings: list[Finding] = [(True, f"slack: ok, connected to {auth.get('team')} as the bot")]
    granted = {s.strip() for s in str(auth.headers.get("x-oauth-scopes", "")).split(",")}
    missing = sorted(manifest_scopes() - granted)
    if missing:
        findings.append(
            (
                False,
                f"slack: the token lacks the scopes {', '.join(missing)}: update the app from "
                "manifests/slack/manifest.yaml and reinstall it to the workspace",
            )
        )
    if settings.triage_channel:
        findings.append(await _triage_channel(client, settings.triage_channel))
    for group in sorted(settings.admin_groups):
        findings.append(await _group(client, group))
    for admin in sorted(settings.admin_people):
        if platform_of(admin) == Platform.SLACK or "@" in admin or not _looks_like_entra(admin):
            findings.append(await _admin(client, admin))
    return findings


async def _group(client: AsyncWebClient, group: str) -> Finding:
    try:
        users = (await client.usergroups_users_list(usergroup=group)).get("users") or []
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        return (
            False,
            f"slack: admin group {group} cannot be read ({error}): check the id and that the "
            "app has the usergroups:read scope (reinstall it from the manifest)",
        )
    if not users:
        return (False, f"slack: admin group {group} has no members: no one in it can triage")
    return (True, f"slack: admin group {group} ok ({len(users)} members)")


async def _triage_channel(client: AsyncWebClient, channel: str) -> Finding:
    # conversations.history needs only channels:history, which the manifest grants, and tells
    # "no such channel" from "the bot is not in it".
    try:
        await client.conversations_history(channel=channel, limit=1)
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        if error == "not_in_channel":
            return (
                False,
                f"slack: the bot is not in TRIAGE_CHANNEL {channel}: in that channel, type "
                "/invite @AI Incident Desk",
            )
        return (
            False,
            f"slack: TRIAGE_CHANNEL {channel} cannot be read ({error}): set it to a channel id "
            "(C…, from the channel's details) and invite the bot there",
        )
    return (True, f"slack: triage channel {channel} ok, the bot is in it")


async def _admin(client: AsyncWebClient, admin: str) -> Finding:
    if not MEMBER_ID.match(admin):
        return (
            False,
            f"slack: INCIDENT_ADMINS entry {admin!r} is not a Slack member id: use ids like "
            "U012AB3CD (profile → ⋮ → Copy member ID), not names or emails",
        )
    try:
        user = (await client.users_info(user=admin)).get("user") or {}
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        return (
            False,
            f"slack: admin {admin} does not resolve to a person ({error}): check the id "
            "(profile → ⋮ → Copy member ID)",
        )
    if user.get("deleted"):
        return (False, f"slack: admin {admin} is deactivated: remove them from INCIDENT_ADMINS")
    if user.get("is_bot"):
        return (False, f"slack: admin {admin} is a bot, not a person: list people only")
    return (True, f"slack: admin {admin} ok ({user.get('real_name') or user.get('name')})")


def _looks_like_entra(admin: str) -> bool:
    """Entra object ids are GUIDs; anything else that is not a Slack id is a typo to report."""
    return bool(re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", admin))
