"""Reading Slack API failures safely, whatever the body turned out to be."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError


def error_code(exc: SlackApiError) -> str:
    """Slack's `error` field, or `http_<status>` when the body was not Slack's JSON."""
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"http_{exc.response.status_code}"
