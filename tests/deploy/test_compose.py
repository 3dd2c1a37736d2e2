"""docker-compose.yml, checked without a Docker engine: it is valid against the Compose
Specification's schema, runs PostgreSQL 15 on a named volume, migrates once before the desk
starts, and takes every secret from .env, whose template lists only settings that exist."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import yaml

from bot.settings import Settings
from tests.support.deploy import COMPOSE, ENV_EXAMPLE
from tests.support.manifests import REPO, SCHEMAS

# Read by compose (interpolation) or by a library, not by Settings.
NOT_SETTINGS = {
    "POSTGRES_PASSWORD",
    "DESK_PUBLISH_PORT",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def example_names() -> set[str]:
    """Every variable .env.example sets or shows commented out."""
    return set(re.findall(r"^#? ?([A-Za-z][A-Za-z0-9_]*)=", ENV_EXAMPLE.read_text(), re.M))


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())

    jsonschema.Draft202012Validator(schema).validate(compose())


def test_compose_runs_the_desk_on_postgresql_15_with_its_data_on_a_named_volume() -> None:
    services = compose()["services"]

    assert set(services) == {"db", "migrate", "desk"}
    db = services["db"]
    assert db["image"] == "postgres:15"
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"]
    assert set(compose()["volumes"]) == {"pgdata", "desk-home"}
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    for name in ("migrate", "desk"):
        assert services[name]["build"] == "."
        assert services[name]["environment"]["DATABASE_URL"].startswith(
            "postgresql://incident_desk:${POSTGRES_PASSWORD"
        )
        assert "@db:5432/incident_desk" in services[name]["environment"]["DATABASE_URL"]


def test_migrate_runs_once_and_the_desk_starts_only_after_it_succeeded() -> None:
    services = compose()["services"]
    migrate, desk = services["migrate"], services["desk"]

    assert migrate["command"] == ["migrate"] and migrate["restart"] == "no"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert desk["command"] == ["run"]
    assert desk["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert "/healthz" in " ".join(desk["healthcheck"]["test"])
    assert desk["environment"]["PORT"] == "3000"
    assert desk["ports"] == ["${DESK_PUBLISH_PORT:-3000}:3000"]


def test_secrets_come_from_the_env_file_which_git_ignores() -> None:
    services = compose()["services"]
    text = COMPOSE.read_text()

    assert services["migrate"]["env_file"] == services["desk"]["env_file"] == ".env"
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert not re.search(r"(xoxb|xapp)-", text)
    for name in set(re.findall(r"\$\{([A-Z_]+)", text)):
        assert name in example_names(), f"{name} is used by compose but not in .env.example"
    gitignore = (REPO / ".gitignore").read_text().splitlines()
    assert ".env" in gitignore and ".env.example" not in gitignore


def test_env_example_lists_only_real_settings_and_the_ones_a_deployment_needs() -> None:
    aliases = {field.alias for field in Settings.model_fields.values()}

    assert example_names() - NOT_SETTINGS <= aliases
    assert {"INCIDENT_ADMINS", "AUDIT_HMAC_KEY", "SLACK_BOT_TOKEN", "POSTGRES_PASSWORD"} <= (
        example_names()
    )
