"""Where the repository keeps the app manifests, and the official schemas they validate against."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "manifests" / "slack" / "manifest.yaml"
SLACK_SCHEMA = REPO.parent / "shared" / "schemas" / "slack-app-manifest.v1.schema.json"
TEAMS_SCHEMA = REPO.parent / "shared" / "schemas" / "teams-app-manifest.schema.json"
