"""The Slack manifest is valid against Slack's schema and declares what the code listens for."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import yaml

from handlers.slack.ids import SLASH_COMMAND, CallbackId
from tests.support.manifests import MANIFEST, REPO
from tests.support.manifests import SLACK_SCHEMA as SCHEMA

ROOT = REPO


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    return loaded


def test_slack_manifest_validates_against_official_schema() -> None:
    jsonschema.validate(manifest(), json.loads(SCHEMA.read_text()))


def test_manifest_declares_the_public_interface() -> None:
    features = manifest()["features"]
    shortcuts = {s["callback_id"]: s["type"] for s in features["shortcuts"]}
    assert shortcuts == {
        CallbackId.REPORT_MESSAGE.value: "message",
        CallbackId.REPORT_GLOBAL.value: "global",
        CallbackId.ADD_TO_INCIDENT.value: "message",
    }
    assert [c["command"] for c in features["slash_commands"]] == [SLASH_COMMAND]
    settings = manifest()["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert features["app_home"]["home_tab_enabled"] is True


def test_manifest_subscribes_to_edits_and_can_read_and_send_files() -> None:
    events = manifest()["settings"]["event_subscriptions"]["bot_events"]
    scopes = manifest()["oauth_config"]["scopes"]["bot"]
    assert {"message.channels", "message.groups"} <= set(events)
    assert {"channels:history", "groups:history", "files:read", "files:write"} <= set(scopes)
