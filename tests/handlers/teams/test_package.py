"""The Teams app package: a valid v1.29 manifest with our ids and developer links, and icons of
the right size."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.settings import Settings
from handlers.cli import main
from handlers.teams.ids import ADD_COMMAND, REPORT_COMMAND
from handlers.teams.package import MANIFEST_DIR, filled_manifest
from tests.support.manifests import TEAMS_SCHEMA as SCHEMA

APP_ID = "0b7e4b4a-5c0f-4d8e-9a55-3f1f2c9d8e71"


def teams_settings(**env: Any) -> Settings:
    return Settings(_env_file=None, MicrosoftAppId=APP_ID, **env)


def decode_png(data: bytes) -> tuple[int, int, list[list[tuple[int, ...]]]]:
    """Width, height and RGBA rows of an 8-bit RGBA PNG whose rows use filter 0."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, header, idat = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color_type = struct.unpack(">IIBB", header[:10])
    assert (depth, color_type) == (8, 6), "8-bit RGBA"
    raw = zlib.decompress(idat)
    stride = 1 + width * 4
    rows = []
    for y in range(height):
        line = raw[y * stride : (y + 1) * stride]
        assert line[0] == 0
        rows.append([tuple(line[1 + x * 4 : 5 + x * 4]) for x in range(width)])
    return width, height, rows


def test_manifest_validates_against_the_v1_29_schema() -> None:
    # Not check_schema(): Microsoft's patterns use \p{L}, which Python's re cannot compile;
    # no part of our manifest reaches them.
    validator = jsonschema.Draft4Validator(json.loads(SCHEMA.read_text()))
    template = json.loads((MANIFEST_DIR / "manifest.json").read_text())
    validator.validate(template)
    validator.validate(filled_manifest(teams_settings()))


def test_manifest_declares_the_report_and_add_message_actions() -> None:
    manifest = filled_manifest(teams_settings())
    assert manifest["manifestVersion"] == "1.29"
    [extension] = manifest["composeExtensions"]
    assert [c["id"] for c in extension["commands"]] == [REPORT_COMMAND, ADD_COMMAND]
    for command in extension["commands"]:
        assert (command["type"], command["context"], command["fetchTask"]) == (
            "action",
            ["message"],
            True,
        )
    assert manifest["id"] == extension["botId"] == manifest["bots"][0]["botId"] == APP_ID
    assert "personal" in manifest["bots"][0]["scopes"]


def test_manifest_asks_for_resource_specific_consent_to_read_messages() -> None:
    manifest = filled_manifest(teams_settings())
    permissions = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {(p["name"], p["type"]) for p in permissions} == {
        ("ChannelMessage.Read.Group", "Application"),
        ("ChatMessage.Read.Chat", "Application"),
    }
    # RSC names the app's Entra registration, which is the bot's own.
    assert manifest["webApplicationInfo"]["id"] == APP_ID
    # File consent cards (exports) need the bot to declare file support.
    assert manifest["bots"][0]["supportsFiles"] is True


def test_teams_package_zips_manifest_and_icons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    out = tmp_path / "dist" / "core.zip"

    assert main(["teams-package", "--output", str(out)]) == 0

    assert "wrote" in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = decode_png(archive.read("color.png"))
        outline = decode_png(archive.read("outline.png"))
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert color[:2] == (192, 192)
    assert outline[:2] == (32, 32)
    pixels = {p for row in outline[2] for p in row}
    assert pixels <= {(0, 0, 0, 0), (255, 255, 255, 255)}, "outline: white on transparent only"
    assert (0, 0, 0, 0) in pixels and (255, 255, 255, 255) in pixels
    assert all(p[3] == 255 for row in color[2] for p in row), "colour icon is opaque"


def test_teams_package_fills_in_the_developer_links_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("TEAMS_DEVELOPER_WEBSITE_URL", "https://intranet.firm.example/ai-desk")
    monkeypatch.setenv("TEAMS_PRIVACY_URL", "https://intranet.firm.example/privacy")
    monkeypatch.setenv("TEAMS_TERMS_URL", "https://intranet.firm.example/terms")
    out = tmp_path / "desk.zip"

    assert main(["teams-package", "--output", str(out)]) == 0

    with zipfile.ZipFile(out) as archive:
        developer = json.loads(archive.read("manifest.json"))["developer"]
    assert developer == {
        "name": "AI Incident Desk",
        "websiteUrl": "https://intranet.firm.example/ai-desk",
        "privacyUrl": "https://intranet.firm.example/privacy",
        "termsOfUseUrl": "https://intranet.firm.example/terms",
    }


def test_developer_links_default_to_placeholders_and_must_be_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert filled_manifest(teams_settings())["developer"]["privacyUrl"] == (
        "https://www.example.com/ai-incident-desk/privacy"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("TEAMS_PRIVACY_URL", "http://intranet.firm.example/privacy")

    assert main(["teams-package"]) == 2

    assert capsys.readouterr().err.startswith("incident-desk: TEAMS_PRIVACY_URL is invalid")
    assert not (tmp_path / "incident-desk-teams.zip").exists()


def test_teams_package_without_app_id_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MicrosoftAppId", raising=False)

    assert main(["teams-package"]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("incident-desk: MicrosoftAppId is not set")
    assert not (tmp_path / "incident-desk-teams.zip").exists()
    monkeypatch.setenv("MicrosoftAppId", "not-a-guid")
    assert main(["teams-package"]) == 2
    assert "must be a GUID" in capsys.readouterr().err


def test_committed_icons_are_the_drawn_ones() -> None:
    from handlers.teams.icons import color_icon, outline_icon

    assert (MANIFEST_DIR / "color.png").read_bytes() == color_icon()
    assert (MANIFEST_DIR / "outline.png").read_bytes() == outline_icon()
