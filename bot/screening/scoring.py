"""Risk screening of AI output: rules as config data, scored signals with masked excerpts."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SerializeAsAny, model_validator

from bot.errors import InvalidInput
from bot.screening.detectors import (
    BoilerplateOptions,
    CitationOptions,
    CrossClientOptions,
    EmailOptions,
    Finding,
    MaskKind,
    NoOptions,
    PhoneOptions,
    SecretsOptions,
    Span,
    find_boilerplate,
    find_cards,
    find_citations,
    find_emails,
    find_ibans,
    find_ninos,
    find_phones,
    find_secrets,
    mask,
)

__all__ = [
    "DEFAULT_RULES",
    "ClientConfig",
    "FloodDecision",
    "FloodGuard",
    "RuleOverride",
    "RulePrecision",
    "RuleSettings",
    "ScreeningConfig",
    "ScreeningResult",
    "Signal",
    "is_screened",
    "mask",
    "mask_text",
    "rule_precision",
    "screen",
]

# A card lists at most this many signals per rule; the score counts each rule once anyway.
MAX_SIGNALS_PER_RULE = 5

OPTION_MODELS: dict[str, type[BaseModel]] = {
    "cross_client": CrossClientOptions,
    "email": EmailOptions,
    "phone": PhoneOptions,
    "uk_nino": NoOptions,
    "payment_card": NoOptions,
    "iban": NoOptions,
    "secrets": SecretsOptions,
    "unverifiable_citation": CitationOptions,
    "ai_boilerplate": BoilerplateOptions,
}


class RuleSettings(BaseModel):
    """One screening rule as data: what it is called, what it weighs, whether it runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    score: float = Field(ge=0)
    enabled: bool = True
    options: SerializeAsAny[BaseModel] = Field(default_factory=NoOptions)


DEFAULT_RULES: tuple[RuleSettings, ...] = (
    RuleSettings(id="cross_client", label="Another client's data", score=1.0,
                 options=CrossClientOptions()),
    RuleSettings(id="email", label="Email address", score=0.4, options=EmailOptions()),
    RuleSettings(id="phone", label="Phone number", score=0.4, options=PhoneOptions()),
    RuleSettings(id="uk_nino", label="UK National Insurance number", score=1.0),
    RuleSettings(id="payment_card", label="Payment card number", score=1.0),
    RuleSettings(id="iban", label="IBAN", score=1.0),
    RuleSettings(id="secrets", label="Secret or API key", score=1.0, options=SecretsOptions()),
    RuleSettings(id="unverifiable_citation", label="Unverifiable citation", score=0.5,
                 options=CitationOptions()),
    RuleSettings(id="ai_boilerplate", label="AI boilerplate", score=0.6,
                 options=BoilerplateOptions()),
)  # fmt: skip


class RuleOverride(BaseModel):
    """A firm's change to a shipped rule; unset fields keep the default, options merge."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str | None = None
    score: float | None = Field(default=None, ge=0)
    enabled: bool | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class ClientConfig(BaseModel):
    """A client or engagement: its names, the channels that belong to it, its figures and ids."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    channels: list[str] = Field(default_factory=list)
    identifiers: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class _ClientPatterns:
    client_id: str
    names: re.Pattern[str] | None
    identifiers: re.Pattern[str] | None


class ScreeningConfig(BaseModel):
    """The `screening:` section of the YAML config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    monitored_channels: list[str] = Field(default_factory=list)
    ai_bot_ids: list[str] = Field(default_factory=list)
    ai_app_ids: list[str] = Field(default_factory=list)
    teams_ai_app_ids: list[str] = Field(default_factory=list)
    # True screens every message from any author in any channel, not only AI output.
    screen_all_messages: bool = False
    threshold: float = Field(default=1.0, gt=0)
    flood_cap_per_channel_per_hour: int = Field(default=5, ge=0)
    # Messages over the flood cap are collected and posted as one digest this often.
    overflow_digest_minutes: int = Field(default=15, ge=1, le=1440)
    clients: list[ClientConfig] = Field(default_factory=list)
    url_allow_domains: list[str] = Field(default_factory=list)
    rules: list[RuleOverride] = Field(default_factory=list)

    _rules: tuple[RuleSettings, ...] = PrivateAttr(default=DEFAULT_RULES)
    _patterns: dict[str, _ClientPatterns] = PrivateAttr(default_factory=dict)
    _channel_client: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _resolve(self) -> ScreeningConfig:
        self._rules = _merge_rules(self.rules)
        seen: set[str] = set()
        for client in self.clients:
            if client.id in seen:
                raise ValueError(f"client id {client.id!r} is listed twice")
            seen.add(client.id)
            for channel in client.channels:
                other = self._channel_client.setdefault(channel, client.id)
                if other != client.id:
                    raise ValueError(f"channel {channel} belongs to both {other} and {client.id}")
            self._patterns[client.id] = _compile_client(client)
        return self

    @property
    def effective_rules(self) -> tuple[RuleSettings, ...]:
        """Shipped defaults with this config's overrides applied."""
        return self._rules

    def client_for_channel(self, channel_id: str | None) -> str | None:
        """The id of the client a channel belongs to, if any."""
        return self._channel_client.get(channel_id) if channel_id else None


def _merge_rules(overrides: Sequence[RuleOverride]) -> tuple[RuleSettings, ...]:
    by_id = {rule.id: rule for rule in DEFAULT_RULES}
    ids = [o.id for o in overrides]
    if len(ids) != len(set(ids)):
        raise ValueError("each screening rule may be overridden only once")
    for override in overrides:
        base = by_id.get(override.id)
        if base is None:
            known = ", ".join(by_id)
            raise ValueError(f"unknown screening rule {override.id!r} (known: {known})")
        options = OPTION_MODELS[base.id].model_validate(
            {**base.options.model_dump(), **override.options}
        )
        changes = override.model_dump(exclude={"id", "options"}, exclude_none=True)
        by_id[base.id] = base.model_copy(update={**changes, "options": options})
    return tuple(by_id.values())


def _names_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    words = sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True)
    if not words:
        return None
    body = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _identifier_regex(identifier: str) -> str:
    figure = re.fullmatch(r"([£$€]?)\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?", identifier.strip())
    if figure is None:
        return r"\s+".join(map(re.escape, identifier.split()))
    digits = figure.group(2).replace(",", "")
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    # The same figure written with or without thousands separators or its currency sign.
    return r"(?:[£$€]\s?)?" + ",?".join(groups) + re.escape(figure.group(3) or "")


def _compile_client(client: ClientConfig) -> _ClientPatterns:
    idents = [i for i in client.identifiers if i.strip()]
    ident_pattern = None
    if idents:
        body = "|".join(_identifier_regex(i) for i in sorted(idents, key=len, reverse=True))
        ident_pattern = re.compile(rf"(?<![\w.,])(?:{body})(?!\w|[.,]\d)", re.IGNORECASE)
    return _ClientPatterns(client.id, _names_pattern([client.name, *client.aliases]), ident_pattern)


def _find_cross_client(
    text: str, channel_id: str | None, config: ScreeningConfig, options: CrossClientOptions
) -> list[Finding]:
    own_id = config.client_for_channel(channel_id)
    if own_id is None:
        return []
    own = config._patterns[own_id]
    # The channel's own names and figures are claimed first, so "Acme Holdings" in Acme
    # Holdings' channel never fires for a client called "Acme".
    own_spans: list[Span] = [
        m.span() for p in (own.names, own.identifiers) if p for m in p.finditer(text)
    ]
    found: list[Finding] = []
    for client_id, other in config._patterns.items():
        if client_id == own_id:
            continue
        checks: list[tuple[re.Pattern[str] | None, MaskKind, str]] = []
        if options.names:
            checks.append((other.names, "name", f"Names another client ({client_id})"))
        if options.identifiers:
            checks.append(
                (other.identifiers, "identifier", f"Quotes another client's figure ({client_id})")
            )
        for pattern, kind, label in checks:
            for m in pattern.finditer(text) if pattern else ():
                if not any(m.start() < e and s < m.end() for s, e in own_spans):
                    found.append(Finding(kind, m.group(), m.start(), m.end(), label))
    return found


class Signal(BaseModel):
    """One reason a message looks risky; `excerpt` is always masked."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    label: str
    excerpt: str
    score: float


class ScreeningResult(BaseModel):
    """The outcome of screening one message."""

    model_config = ConfigDict(frozen=True)

    score: float
    signals: list[Signal]
    suspected: bool

    @property
    def rule_ids(self) -> list[str]:
        """Distinct rules that fired, in rule order: what a triage decision is kept against."""
        return list(dict.fromkeys(s.rule_id for s in self.signals))


_O = TypeVar("_O", bound=BaseModel)

# Slack escapes these three in message text; the detectors read what a person reads.
_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def _findings(
    text: str, channel_id: str | None, config: ScreeningConfig
) -> dict[str, list[Finding]]:
    rules = {r.id: r for r in config.effective_rules}

    def opts(rule_id: str, model: type[_O]) -> _O:
        options = rules[rule_id].options
        return options if isinstance(options, model) else model()

    secrets = find_secrets(text, opts("secrets", SecretsOptions))
    emails = find_emails(text, EmailOptions())
    citations = find_citations(
        text, opts("unverifiable_citation", CitationOptions), config.url_allow_domains
    )
    # Numbers inside a secret, address, IBAN or card are parts of that, not more PII.
    claimed: list[Span] = [(f.start, f.end) for f in secrets + emails]
    ibans = find_ibans(text)
    claimed += [(f.start, f.end) for f in ibans]
    cards = find_cards(text, skip=claimed)
    claimed += [(f.start, f.end) for f in cards]
    ninos = find_ninos(text, skip=claimed)
    claimed += [(f.start, f.end) for f in ninos]
    # Every link and citation is claimed, allowed or not: digits in them are not phone numbers.
    claimed += [(f.start, f.end) for f in find_citations(text, CitationOptions(), allow=())]
    email_opts = opts("email", EmailOptions)
    return {
        "cross_client": _find_cross_client(
            text, channel_id, config, opts("cross_client", CrossClientOptions)
        ),
        "email": find_emails(text, email_opts) if email_opts.ignore_domains else emails,
        "phone": find_phones(text, opts("phone", PhoneOptions), skip=claimed),
        "uk_nino": ninos,
        "payment_card": cards,
        "iban": ibans,
        "secrets": secrets,
        "unverifiable_citation": citations,
        "ai_boilerplate": find_boilerplate(text, opts("ai_boilerplate", BoilerplateOptions)),
    }


def screen(text: str, *, channel_id: str | None, config: ScreeningConfig) -> ScreeningResult:
    """Run every enabled rule over `text`; each rule that fires adds its score once."""
    for entity, char in _SLACK_ENTITIES:
        text = text.replace(entity, char)
    findings = _findings(text, channel_id, config)
    signals: list[Signal] = []
    score = 0.0
    for rule in config.effective_rules:
        hits = sorted(findings.get(rule.id, []), key=lambda f: f.start) if rule.enabled else []
        excerpts: dict[tuple[str, str], None] = {}
        for hit in hits:
            excerpts.setdefault((hit.label, mask(hit.value, hit.kind)), None)
        if not excerpts:
            continue
        score += rule.score
        signals += [
            Signal(rule_id=rule.id, label=label, excerpt=excerpt, score=rule.score)
            for label, excerpt in list(excerpts)[:MAX_SIGNALS_PER_RULE]
        ]
    # Rounded so that 0.4 + 0.6 style sums compare with the threshold as a person expects.
    score = round(score, 6)
    return ScreeningResult(score=score, signals=signals, suspected=score >= config.threshold)


def mask_text(text: str, *, channel_id: str | None, config: ScreeningConfig) -> str:
    """`text` with every match of every detector masked, for showing a flagged message."""
    for entity, char in _SLACK_ENTITIES:
        text = text.replace(entity, char)
    hits = sorted(
        (f for found in _findings(text, channel_id, config).values() for f in found),
        key=lambda f: (f.start, -f.end),
    )
    out: list[str] = []
    cursor = 0
    for hit in hits:
        if hit.start < cursor:
            continue  # inside a longer match already masked
        out += [text[cursor : hit.start], mask(hit.value, hit.kind)]
        cursor = hit.end
    out.append(text[cursor:])
    return "".join(out)


def is_screened(
    *,
    author_bot_id: str | None,
    author_app_id: str | None,
    channel_id: str | None,
    config: ScreeningConfig,
) -> bool:
    """True for an AI tool's message in a monitored channel, or any message if configured."""
    if config.screen_all_messages:
        return True
    ai_apps = {*config.ai_app_ids, *config.teams_ai_app_ids}
    is_ai = (author_bot_id is not None and author_bot_id in config.ai_bot_ids) or (
        author_app_id is not None and author_app_id in ai_apps
    )
    return is_ai and channel_id is not None and channel_id in config.monitored_channels


class FloodDecision(StrEnum):
    ALLOW = "allow"
    DIGEST = "digest"


@dataclass(frozen=True)
class FloodGuard:
    """Caps suspected incidents per channel per hour; the caller counts, this decides."""

    cap_per_channel_per_hour: int

    WINDOW: ClassVar[timedelta] = timedelta(hours=1)

    @classmethod
    def from_config(cls, config: ScreeningConfig) -> FloodGuard:
        return cls(cap_per_channel_per_hour=config.flood_cap_per_channel_per_hour)

    def window_start(self, now: datetime) -> datetime:
        """Start of the hour to count suspected incidents in; `now` must be timezone-aware."""
        if now.tzinfo is None or now.utcoffset() is None:
            raise InvalidInput({"now": "must be timezone-aware"})
        return now - self.WINDOW

    def decide(self, *, channel_id: str | None, counts: Mapping[str, int]) -> FloodDecision:
        """ALLOW while the channel's count in the window is under the cap, else DIGEST."""
        made = counts.get(channel_id or "", 0)
        return FloodDecision.ALLOW if made < self.cap_per_channel_per_hour else FloodDecision.DIGEST


class RulePrecision(NamedTuple):
    hits: int
    confirmed: int
    precision: float


def rule_precision(decisions: Sequence[tuple[str, bool]]) -> dict[str, RulePrecision]:
    """Per rule: decided hits, how many were confirmed (incident or near miss), and the ratio."""
    tally: dict[str, list[int]] = {}
    for rule_id, confirmed in decisions:
        counts = tally.setdefault(rule_id, [0, 0])
        counts[0] += 1
        counts[1] += int(confirmed)
    return {
        rule_id: RulePrecision(hits, confirmed, round(confirmed / hits, 4))
        for rule_id, (hits, confirmed) in sorted(tally.items())
    }
