"""The demo's people, channels, AI tool and firm config: a fictional law firm, Acme LLP."""

from __future__ import annotations

from typing import Any

from bot.domain import Actor, Platform

ADA = Actor(platform=Platform.SLACK, user_id="U0ADA", name="Ada (DPO, Slack)")
BEA_ID = "6b1d0f4e-0000-4000-8000-0000000000be"
BEA = Actor(platform=Platform.TEAMS, user_id=BEA_ID, name="Bea (risk partner, Teams)")
RITA = Actor(platform=Platform.SLACK, user_id="U0RITA", name="Rita (associate)")
OWEN = "U0OWEN"  # the AI tool's kill-switch owner

TEAM_ID = "T0DEMO"
CLIENT_A_CHANNEL = "C0CLIENTA"
TRIAGE_CHANNEL = "C0TRIAGE"
DRAFTBOT_ID = "B0DRAFT"
BEA_CHAT = "a:demo-chat-bea"
TENANT = "00000000-0000-4000-8000-00000000acme"

# The reply the AI tool posts: Client A's channel, Client B's figures, a person's email.
AI_REPLY = (
    "Here is the Q3 summary for Client A: revenue £4.2m, up 12%. For comparison, Globex's Q3 "
    "revenue was £9.8m with a 31% margin; their CFO is j.smith@globex.example if you need the "
    "detail."
)

NAMES = {ADA.user_id: "Ada", RITA.user_id: "Rita", OWEN: "Owen", DRAFTBOT_ID: "DraftBot"}

PLACES = {
    CLIENT_A_CHANNEL: "#client-a-deals (Slack)",
    TRIAGE_CHANNEL: "#ai-incidents (Slack triage channel)",
    f"D{ADA.user_id}": "Ada's DM with the desk (Slack)",
    f"D{RITA.user_id}": "Rita's DM with the desk (Slack)",
    f"D{OWEN}": "Owen's DM with the desk (Slack, kill-switch owner)",
    BEA_CHAT: "Bea's chat with the desk (Teams)",
}


def config() -> dict[str, Any]:
    """The firm's YAML config, as a dict: one AI tool with an owner, three clients, screening."""
    return {
        "runbook": [
            {
                "id": "draftbot",
                "name": "DraftBot",
                "owners": [OWEN],
                "slack_bot_ids": [DRAFTBOT_ID],
                "logs": "DraftBot admin console → Conversations",
            }
        ],
        "screening": {
            "monitored_channels": [CLIENT_A_CHANNEL],
            "clients": [
                {"id": "client_a", "name": "Client A", "channels": [CLIENT_A_CHANNEL]},
                {"id": "globex", "name": "Globex", "aliases": ["Globex Corp"]},
                {"id": "initech", "name": "Initech"},
            ],
        },
    }


def place(conversation: str) -> str:
    return PLACES.get(conversation, conversation)
