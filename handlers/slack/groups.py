"""Slack user groups named in INCIDENT_ADMINS: their members, from usergroups.users.list."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.incidents.admin_groups import GroupMembers


def group_members(client: AsyncWebClient) -> GroupMembers:
    """The resolver AdminGroups calls; raises SlackApiError when Slack cannot say."""

    async def members(group: str) -> set[str]:
        response = await client.usergroups_users_list(usergroup=group, include_disabled=False)
        return {str(user) for user in response.get("users") or []}

    return members
