"""Settings from env vars, `.env`, and the YAML config file named by INCIDENT_DESK_CONFIG."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.clocks.regimes import Regime, RegimeOverrides, load_regimes
from bot.containment.terms import PolicyNotice, VendorTerms, policy_regime, vendor_regime
from bot.domain import DEFAULT_FAILURE_POINTS, DEFAULT_FAILURE_TYPES, VocabItem
from bot.errors import ConfigError
from bot.evidence.store import EvidenceConfig
from bot.insights.digest_schedule import WeeklyDigestConfig
from bot.screening.scoring import ScreeningConfig

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# Placeholders for the Teams app's developer links; a real deployment sets its own.
DEFAULT_TEAMS_DEVELOPER_WEBSITE_URL = "https://www.example.com/ai-incident-desk"
DEFAULT_TEAMS_PRIVACY_URL = "https://www.example.com/ai-incident-desk/privacy"
DEFAULT_TEAMS_TERMS_URL = "https://www.example.com/ai-incident-desk/terms"
HTTPS_URL = r"^https://\S+$"


def is_admin_group(entry: str) -> bool:
    """A Slack user group id (S012AB3CD), as INCIDENT_ADMINS may name one."""
    return bool(re.fullmatch(r"S[A-Z0-9]{2,}", entry))


class ReenableSignOff(BaseModel):
    """What "safe enough to re-enable" means for one tool, and who may say so."""

    model_config = ConfigDict(extra="forbid")
    criteria: list[str] = Field(min_length=1, max_length=20)
    approvers: list[str] = Field(min_length=1)
    # Two different approvers must each tick every item (four eyes).
    two_approvers: bool = False

    @field_validator("criteria")
    @classmethod
    def _distinct_criteria(cls, items: list[str]) -> list[str]:
        distinct = {i.strip().lower() for i in items}
        if len(distinct) != len(items) or any(not i.strip() for i in items):
            raise ValueError("criteria must be distinct, non-empty sentences")
        return items


class RunbookTool(BaseModel):
    """One AI tool: who can switch it off, how, where its logs are, when it is safe again."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    name: str = Field(min_length=1, max_length=75)
    owners: list[str] = Field(default_factory=list)
    kill_switch_url: str | None = Field(default=None, pattern=r"^https?://")
    kill_switch_secret_env: str | None = None
    logs: str | None = None
    safe_to_reenable: str | None = None
    reportable: str | None = None
    slack_bot_ids: list[str] = Field(default_factory=list)
    slack_app_ids: list[str] = Field(default_factory=list)
    # The Teams app (bot) ids the tool posts as: `from.id` is `28:<app id>` in its messages.
    teams_app_ids: list[str] = Field(default_factory=list)
    reenable: ReenableSignOff | None = None
    vendor: VendorTerms | None = None


class FirmScope(BaseModel):
    """Which regimes the firm is in scope for; the classification form asks only those."""

    model_config = ConfigDict(extra="forbid")
    # Printed on reports and the stats page.
    name: str | None = Field(default=None, max_length=200)
    nis2_in_scope: bool = False
    dora_in_scope: bool = False


class DeskConfig(BaseModel):
    """The firm's YAML config: vocabularies, runbook, regime overrides, firm scope."""

    model_config = ConfigDict(extra="forbid")
    runbook: list[RunbookTool] = Field(default_factory=list)
    regimes: RegimeOverrides = Field(default_factory=RegimeOverrides)
    firm: FirmScope = Field(default_factory=FirmScope)
    failure_types: list[VocabItem] = Field(default_factory=lambda: list(DEFAULT_FAILURE_TYPES))
    failure_points: list[VocabItem] = Field(default_factory=lambda: list(DEFAULT_FAILURE_POINTS))
    thread_context_limit: int = Field(default=20, ge=0, le=200)
    evidence: EvidenceConfig = Field(default_factory=EvidenceConfig)
    screening: ScreeningConfig = Field(default_factory=ScreeningConfig)
    weekly_digest: WeeklyDigestConfig = Field(default_factory=WeeklyDigestConfig)
    # Insurer and solicitor notices; each becomes a regime row (bot/containment/terms.py).
    notices: list[PolicyNotice] = Field(default_factory=list)

    @field_validator("failure_types", "failure_points")
    @classmethod
    def _unique_ids(cls, items: list[VocabItem]) -> list[VocabItem]:
        ids = [i.id for i in items]
        if len(ids) != len(set(ids)):
            raise ValueError("ids must be unique")
        if not 1 <= len(ids) <= 100:
            raise ValueError("must list between 1 and 100 entries")
        return items

    def failure_type_label(self, type_id: str) -> str:
        return next((i.label for i in self.failure_types if i.id == type_id), type_id)

    def failure_point_label(self, point_id: str | None) -> str:
        return next((i.label for i in self.failure_points if i.id == point_id), point_id or "—")

    def tool(self, tool_id: str | None) -> RunbookTool | None:
        return next((t for t in self.runbook if t.id == tool_id), None)

    def tool_for_author(self, author: dict[str, object]) -> RunbookTool | None:
        """The runbook entry whose Slack bot or app id, or Teams app id, wrote the message."""
        for tool in self.runbook:
            if author.get("id") in tool.slack_bot_ids or author.get("app_id") in tool.slack_app_ids:
                return tool
            if author.get("teams_app_id") in tool.teams_app_ids:
                return tool
        return None

    def load_regimes(self) -> list[Regime]:
        """The shipped regime table with this config's overrides, then the contracts' notices
        (each tool's vendor, the insurer, the solicitor); raises ConfigError."""
        regimes = load_regimes(overrides=self.regimes)
        vendors = [
            vendor_regime(t.id, t.name, t.vendor) for t in self.runbook if t.vendor is not None
        ]
        contractual = [r for r in vendors if r is not None]
        contractual += [policy_regime(p) for p in self.notices]
        taken = {r.id for r in regimes}
        for regime in contractual:
            if regime.id in taken:
                raise ConfigError(f"notices: {regime.id!r} is already a regime id; rename it")
            taken.add(regime.id)
        return regimes + contractual


class Settings(BaseSettings):
    """Environment settings; the names are the public interface in README's Configuration."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(default="sqlite+aiosqlite:///incident_desk.db", alias="DATABASE_URL")
    slack_bot_token: str | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: str | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")
    microsoft_app_id: str | None = Field(default=None, alias="MicrosoftAppId")
    microsoft_app_password: str | None = Field(default=None, alias="MicrosoftAppPassword")
    microsoft_app_type: str = Field(default="SingleTenant", alias="MicrosoftAppType")
    microsoft_app_tenant_id: str | None = Field(default=None, alias="MicrosoftAppTenantId")
    # Teams with an empty MicrosoftAppId: authentication off, for the Bot Framework Emulator
    # and offline tests only.
    teams_enabled_flag: bool = Field(default=False, alias="TEAMS_ENABLED")
    incident_admins_raw: str = Field(default="", alias="INCIDENT_ADMINS")
    triage_channel: str | None = Field(default=None, alias="TRIAGE_CHANNEL")
    # A Teams channel's conversation id (19:…@thread.tacv2); reachable once the bot was there.
    teams_triage_channel: str | None = Field(default=None, alias="TEAMS_TRIAGE_CHANNEL")
    # The Teams app's developer links (its About tab), written into the package by
    # `incident-desk teams-package`.
    teams_developer_website_url: str = Field(
        default=DEFAULT_TEAMS_DEVELOPER_WEBSITE_URL,
        alias="TEAMS_DEVELOPER_WEBSITE_URL",
        pattern=HTTPS_URL,
        max_length=2048,
    )
    teams_privacy_url: str = Field(
        default=DEFAULT_TEAMS_PRIVACY_URL,
        alias="TEAMS_PRIVACY_URL",
        pattern=HTTPS_URL,
        max_length=2048,
    )
    teams_terms_url: str = Field(
        default=DEFAULT_TEAMS_TERMS_URL, alias="TEAMS_TERMS_URL", pattern=HTTPS_URL, max_length=2048
    )
    config_path: Path | None = Field(default=None, alias="INCIDENT_DESK_CONFIG")
    audit_hmac_key: str | None = Field(default=None, alias="AUDIT_HMAC_KEY")
    # Each new audit chain head is appended here; put it on another volume or a write-once
    # bucket mount, so a rewound database cannot rewind it too (docs/AUDIT.md).
    audit_anchor_file: Path | None = Field(default=None, alias="AUDIT_ANCHOR_FILE")
    # Holds the generated audit key file and, by default, the evidence folder (docs/AUDIT.md).
    incident_desk_home: str | None = Field(default=None, alias="INCIDENT_DESK_HOME")
    port: int = Field(default=3000, alias="PORT", ge=1, le=65535)
    # The bearer token a Prometheus scraper sends to GET /metrics; without it /metrics is off.
    metrics_token: str | None = Field(default=None, alias="METRICS_TOKEN")
    # plain: one readable line per event; json: one JSON object per line, for log shippers.
    log_format: str = Field(default="plain", alias="LOG_FORMAT", pattern=r"^(plain|json)$")
    outbox_interval_seconds: float = Field(default=5.0, alias="OUTBOX_INTERVAL_SECONDS", gt=0)
    nudge_interval_seconds: float = Field(default=30.0, alias="NUDGE_INTERVAL_SECONDS", gt=0)
    # A name that stays with one replica across restarts (a StatefulSet pod's name): a process
    # restarted under it takes back the outbox rows it had claimed at once (docs/RELIABILITY.md).
    outbox_worker_id: str | None = Field(
        default=None, alias="OUTBOX_WORKER_ID", max_length=40, pattern=r"^[A-Za-z0-9._:-]+$"
    )

    @property
    def incident_admins(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.incident_admins_raw.split(",") if a.strip())

    @property
    def admin_people(self) -> frozenset[str]:
        """INCIDENT_ADMINS entries that are people (not groups)."""
        return frozenset(a for a in self.incident_admins if not is_admin_group(a))

    @property
    def admin_groups(self) -> frozenset[str]:
        """INCIDENT_ADMINS entries that name a Slack user group (S…), resolved periodically."""
        return frozenset(a for a in self.incident_admins if is_admin_group(a))

    @property
    def spool_path(self) -> Path:
        """The report spool: in INCIDENT_DESK_HOME, else ~/.config/incident-desk (as the audit
        key); local to this process's disk, like the evidence folder."""
        home = Path(self.incident_desk_home) if self.incident_desk_home else None
        return (home or Path.home() / ".config" / "incident-desk") / "report-spool.jsonl"

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token)

    @property
    def teams_enabled(self) -> bool:
        return bool(self.microsoft_app_id) or self.teams_enabled_flag

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def normalized_database_url(self) -> str:
        """Accept plain `sqlite:///` and `postgresql://` URLs and pick the async drivers."""
        url = self.database_url
        for plain, driver in (
            ("sqlite://", "sqlite+aiosqlite://"),
            ("postgresql://", "postgresql+psycopg://"),
            ("postgres://", "postgresql+psycopg://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    def load_config(self) -> DeskConfig:
        """Read and validate the YAML config; a missing path means the shipped defaults."""
        return load_config(self.config_path)

    def check_for_run(self) -> None:
        """Raise ConfigError naming the first setting that stops the bot from starting."""
        if not self.slack_enabled and not self.teams_enabled:
            if self.slack_app_token or self.slack_signing_secret:
                raise ConfigError(
                    "SLACK_BOT_TOKEN is not set: install the app to your workspace and copy "
                    "the Bot User OAuth Token (xoxb-…) from OAuth & Permissions"
                )
            raise ConfigError(
                "No chat platform is configured: set SLACK_BOT_TOKEN (Slack) or MicrosoftAppId "
                "(Teams); README.md shows where to get them"
            )
        if self.slack_enabled:
            self._check_slack()
        if self.microsoft_app_id:
            self._check_teams()
        if not self.incident_admins:
            raise ConfigError(
                "INCIDENT_ADMINS is not set: list the Slack user ids (e.g. U012AB3CD) of the "
                "people who triage incidents, comma-separated; find an id under a profile's "
                "⋮ > Copy member ID"
                + (" (Teams: their Microsoft Entra object ids)" if self.teams_enabled else "")
            )
        if not self.slack_api_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"SLACK_API_URL must be an http(s) URL, got {self.slack_api_url!r}; "
                "unset it to use Slack's own API"
            )

    def _check_slack(self) -> None:
        token = self.slack_bot_token or ""
        if not token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN must be a bot token starting with xoxb-: copy the Bot User OAuth "
                "Token from OAuth & Permissions"
            )
        if self.slack_app_token:
            if not self.slack_app_token.startswith("xapp-"):
                raise ConfigError(
                    "SLACK_APP_TOKEN must be an app-level token starting with xapp-: create one "
                    "with the connections:write scope under Basic Information > App-Level Tokens"
                )
        elif not self.slack_signing_secret:
            raise ConfigError(
                "Neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set: set SLACK_APP_TOKEN for "
                "Socket Mode (Basic Information > App-Level Tokens), or SLACK_SIGNING_SECRET for "
                "HTTP mode (Basic Information > App Credentials)"
            )

    def _check_teams(self) -> None:
        app_type = self.microsoft_app_type
        if app_type not in TEAMS_APP_TYPES:
            raise ConfigError(
                f"MicrosoftAppType must be one of {', '.join(TEAMS_APP_TYPES)}, got {app_type!r}; "
                "new bots are SingleTenant"
            )
        if app_type != "UserAssignedMSI" and not self.microsoft_app_password:
            raise ConfigError(
                "MicrosoftAppPassword is not set: create a client secret under the bot's app "
                "registration (Microsoft Entra ID > App registrations > Certificates & secrets)"
            )
        if app_type != "MultiTenant" and not self.microsoft_app_tenant_id:
            raise ConfigError(
                f"MicrosoftAppTenantId is not set, and a {app_type} bot needs it: copy the "
                "Directory (tenant) ID from the app registration's Overview page"
            )


TEAMS_APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


def load_config(path: Path | None) -> DeskConfig:
    """Parse the YAML file at `path`, or raise ConfigError saying what is wrong."""
    if path is None:
        return DeskConfig()
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(
            f"INCIDENT_DESK_CONFIG points at {path}, which does not exist: fix the path or "
            "unset it to use the defaults"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"INCIDENT_DESK_CONFIG file {path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"INCIDENT_DESK_CONFIG file {path} must hold a mapping at the top level")
    try:
        config = DeskConfig.model_validate(raw)
        config.load_regimes()
        return config
    except ConfigError as exc:
        raise ConfigError(f"INCIDENT_DESK_CONFIG file {path}: {exc.message}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(
            f"INCIDENT_DESK_CONFIG file {path}: {where}: {first['msg']} "
            "(see docs/CONFIG.md for the format)"
        ) from None


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from the environment, turning validation errors into one ConfigError line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "setting"
        raise ConfigError(f"{name} is invalid: {first['msg']}") from None
