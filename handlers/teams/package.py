"""`incident-desk teams-package`: the zip an admin uploads to Teams, with our app id and the
developer links from the settings filled in."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.settings import Settings

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifests" / "teams"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
ICONS = ("color.png", "outline.png")


def filled_manifest(settings: Settings, manifest_dir: Path = MANIFEST_DIR) -> dict[str, Any]:
    """manifest.json with the Teams app, bot and Entra app ids set to MicrosoftAppId, and the
    developer links set to TEAMS_DEVELOPER_WEBSITE_URL, TEAMS_PRIVACY_URL and TEAMS_TERMS_URL."""
    app_id = settings.microsoft_app_id
    if not app_id:
        raise ConfigError(
            "MicrosoftAppId is not set: register the bot in Azure (Azure Bot resource → "
            "Configuration → Microsoft App ID) and set MicrosoftAppId before packaging; see "
            "docs/TEAMS.md"
        )
    if not GUID.match(app_id):
        raise ConfigError(f"MicrosoftAppId must be a GUID like {PLACEHOLDER_ID}, got {app_id!r}")
    manifest: dict[str, Any] = json.loads((manifest_dir / "manifest.json").read_text("utf-8"))
    manifest["id"] = app_id
    manifest["developer"].update(
        websiteUrl=settings.teams_developer_website_url,
        privacyUrl=settings.teams_privacy_url,
        termsOfUseUrl=settings.teams_terms_url,
    )
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    for extension in manifest.get("composeExtensions", []):
        extension["botId"] = app_id
    if "webApplicationInfo" in manifest:
        # Resource-specific consent names the app's Entra registration: the bot's own.
        manifest["webApplicationInfo"]["id"] = app_id
    return manifest


def build_package(settings: Settings, output: Path, manifest_dir: Path = MANIFEST_DIR) -> Path:
    """Write the zip: manifest.json and the two icons at its root, as Teams expects."""
    manifest = filled_manifest(settings, manifest_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            archive.write(manifest_dir / icon, icon)
    return output
