"""Where the repository keeps the app manifests, and the official schemas they validate against
(copied into tests/schemas/ with their licences; see its README)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "manifests" / "slack" / "manifest.yaml"
SCHEMAS = REPO / "tests" / "schemas"
SLACK_SCHEMA = SCHEMAS / "slack-app-manifest.v1.schema.json"
TEAMS_SCHEMA = SCHEMAS / "teams-app-manifest.schema.json"
