"""`incident-desk teams-package`: the zip an admin uploads to Teams, with our app id filled in."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from bot.errors import ConfigError

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifests" / "teams"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
ICONS = ("color.png", "outline.png")


def filled_manifest(app_id: str | None, manifest_dir: Path = MANIFEST_DIR) -> dict[str, Any]:
    """manifest.json with the Teams app id and the bot id set to MicrosoftAppId."""
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
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    for extension in manifest.get("composeExtensions", []):
        extension["botId"] = app_id
    return manifest


def build_package(app_id: str | None, output: Path, manifest_dir: Path = MANIFEST_DIR) -> Path:
    """Write the zip: manifest.json and the two icons at its root, as Teams expects."""
    manifest = filled_manifest(app_id, manifest_dir)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            archive.write(manifest_dir / icon, icon)
    return output
