"""Regimes → obligations → nudge schedule: the regulatory clocks as pure functions over data."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, get_args

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.domain import PersonalData
from bot.errors import ConfigError

SHIPPED_REGIMES = Path(__file__).with_name("regimes.yaml")
OVERDUE_EVERY = timedelta(hours=12)
# The design's ladder for a 72 h deadline; other deadlines get the same fractions.
_LADDER_72H = tuple(timedelta(hours=h) for h in (48, 24, 12, 4, 1))


# ---------------------------------------------------------------- durations


_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> timedelta:
    """Parse `72h`, `15d`, `30m` or a combination such as `33d4h` (largest unit first)."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None:
        hint = " (months have no fixed length: write 30d)" if "mo" in text else ""
        raise ValueError(
            f"{text!r} is not a duration: write <n>d, <n>h or <n>m, e.g. 72h or 15d{hint}"
        )
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _duration(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        return parse_duration(value)
    # A bare number in YAML is ambiguous (hours? seconds?), so it is refused.
    raise ValueError(f"{value!r} is not a duration: write <n>d, <n>h or <n>m, e.g. 72h")


Duration = Annotated[timedelta, BeforeValidator(_duration)]


# ---------------------------------------------------------------- classification answers


class RiskLevel(StrEnum):
    UNLIKELY = "unlikely"
    RISK = "risk"
    HIGH_RISK = "high_risk"


class SeriousCondition(StrEnum):
    """EU AI Act Art. 3(49) serious-incident conditions, plus Art. 3(61) widespread infringement."""

    NONE = "none"
    DEATH = "death"
    SERIOUS_HARM_HEALTH = "serious_harm_health"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure"
    FUNDAMENTAL_RIGHTS = "fundamental_rights"
    PROPERTY_ENVIRONMENT = "property_environment"  # Art. 3(49)(d)
    WIDESPREAD_INFRINGEMENT = "widespread_infringement"


class AiRole(StrEnum):
    """Who the firm is for the AI system: Art. 73 binds providers, Art. 26(5) deployers."""

    PROVIDER = "provider"
    DEPLOYER = "deployer"
    UNSURE = "unsure"  # fails closed: both duties are raised


class AiAnnex(StrEnum):
    """Why the system is high-risk; the deferred application dates differ (Reg. 2026/1744)."""

    ANNEX_III = "annex_iii"
    ANNEX_I = "annex_i"
    UNSURE = "unsure"  # fails closed: the earlier (Annex III) date


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


class ClassificationAnswers(BaseModel):
    """The triage classification questions; regime triggers are conditions over these fields.

    An unanswered question keeps the value that fails closed (a clock starts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    personal_data: PersonalData = PersonalData.NO
    # Art. 4(12): destruction, loss, alteration, unauthorised disclosure of or access to the data,
    # inside the firm too. Unanswered counts as unsure, which starts the clock.
    personal_data_breach: PersonalData = PersonalData.UNSURE
    wrong_recipient: bool = False
    risk_to_individuals: RiskLevel | None = None
    client_received: bool = False
    client_acted: bool = False
    downstream_actions: bool = False
    fca_regulated: bool = False  # answers stored before SUP 15.3.1R's questions; triggers nothing
    fca_reputation: bool = False
    fca_customer_detriment: bool = False
    fca_financial: bool = False
    fca_expect_notice: bool = False
    high_risk_ai_system: bool = False
    serious_incident_condition: SeriousCondition = SeriousCondition.NONE
    ai_role: AiRole = AiRole.UNSURE
    ai_provider_reachable: PersonalData = PersonalData.UNSURE  # yes / no / unsure
    ai_annex: AiAnnex = AiAnnex.UNSURE
    ai_causal_link: bool = False  # established, or reasonably likely (Art. 73(2))
    ai_art79_risk: bool = False  # use may present an Art. 79(1) risk (Art. 26(5), first limb)
    nis2_in_scope: bool = False
    dora_in_scope: bool = False
    dora_major: bool = False
    failure_type: str | None = None
    failure_point: str | None = None
    ai_tool: str | None = None
    aware_at: datetime
    # When the incident was first classified as major (DORA RTS 2025/301 Art. 5(1)(a)); set by
    # the service when dora_major first becomes true, kept through later revisions.
    dora_major_at: datetime | None = None

    @field_validator("aware_at")
    @classmethod
    def _aware_at_utc(cls, value: datetime) -> datetime:
        return _utc(value, "aware_at")

    @field_validator("dora_major_at")
    @classmethod
    def _major_at_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value, "dora_major_at")


# Fields a trigger may test; the times are clocks, not conditions.
_TRIGGER_FIELDS: dict[str, Any] = {
    name: info.annotation
    for name, info in ClassificationAnswers.model_fields.items()
    if name not in {"aware_at", "dora_major_at"}
}
_BOOL_FIELDS = {name for name, ann in _TRIGGER_FIELDS.items() if ann is bool}


def _is_str_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, StrEnum)


def _coerce_value(field: str, value: Any) -> Any:
    annotation = _TRIGGER_FIELDS[field]
    # YAML 1.1 reads unquoted yes/no as booleans; map them back for yes/no/unsure fields.
    if isinstance(value, bool) and annotation is PersonalData:
        value = PersonalData.YES if value else PersonalData.NO
    try:
        return TypeAdapter(annotation).validate_python(value)
    except ValidationError:
        enums = [t for t in (annotation, *get_args(annotation)) if _is_str_enum(t)]
        choices = f" (one of: {', '.join(m.value for m in enums[0])})" if enums else ""
        raise ValueError(f"{value!r} is not a valid value for {field}{choices}") from None


# ---------------------------------------------------------------- regime table


class Trigger(BaseModel):
    """A condition over the answers: `all`, `any`, `not`, or `field` with equals / in / is_true."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    all_: list[Trigger] | None = Field(default=None, alias="all")
    any_: list[Trigger] | None = Field(default=None, alias="any")
    not_: Trigger | None = Field(default=None, alias="not")
    field: str | None = None
    equals: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    is_true: bool | None = None

    @field_validator("equals", "in_")
    @classmethod
    def _typed_values(cls, value: Any, info: ValidationInfo) -> Any:
        # Values take the field's type so that a typo ("high-risk") fails at load time.
        field = info.data.get("field")
        if value is None or field not in _TRIGGER_FIELDS:
            return value
        if isinstance(value, list):
            return [_coerce_value(field, v) for v in value]
        return _coerce_value(field, value)

    @model_validator(mode="after")
    def _one_form(self) -> Trigger:
        forms = [f for f in ("all_", "any_", "not_", "field") if getattr(self, f) is not None]
        if len(forms) != 1:
            raise ValueError("a trigger needs exactly one of all, any, not or field")
        tests = [t for t in ("equals", "in_", "is_true") if getattr(self, t) is not None]
        if self.field is None:
            if tests:
                raise ValueError("equals, in and is_true go with a field")
            if self.all_ == [] or self.any_ == []:
                raise ValueError("all and any need at least one condition")
            return self
        if self.field not in _TRIGGER_FIELDS:
            known = ", ".join(sorted(_TRIGGER_FIELDS))
            raise ValueError(f"unknown field {self.field!r}; triggers can test: {known}")
        if len(tests) != 1:
            raise ValueError(f"field {self.field} needs exactly one of equals, in or is_true")
        if self.is_true is not None and self.field not in _BOOL_FIELDS:
            raise ValueError(f"is_true only applies to yes/no fields, not {self.field}")
        return self

    def matches(self, answers: ClassificationAnswers) -> bool:
        """True when the answers satisfy this condition."""
        if self.all_ is not None:
            return all(t.matches(answers) for t in self.all_)
        if self.any_ is not None:
            return any(t.matches(answers) for t in self.any_)
        if self.not_ is not None:
            return not self.not_.matches(answers)
        value = getattr(answers, self.field or "")
        if self.is_true is not None:
            return bool(value) is self.is_true
        if self.in_ is not None:
            return value in self.in_
        return bool(value == self.equals)


class ClockStart(StrEnum):
    AWARE_AT = "aware_at"
    CLASSIFIED_AT = "classified_at"
    MAJOR_AT = "dora_major_at"  # classified as major; the first classification if never set


class Variant(BaseModel):
    """An alternative deadline that applies when its condition holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    when: Trigger
    deadline: Duration


class Cap(BaseModel):
    """An outer limit on a stage, counted from another clock (DORA: 24 h after awareness). It
    applies only when the stage's own clock started within that window (RTS 2025/301 Art. 5(2))."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    clock_start: ClockStart
    deadline: Duration


class Stage(BaseModel):
    """One deadline of a regime; `0h` means immediately, with nudges in `nudge_after`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    name: str = Field(min_length=1)
    deadline: Duration
    variants: list[Variant] = Field(default_factory=list)
    cap: Cap | None = None
    nudge_offsets: list[Duration] | None = None
    nudge_after: list[Duration] = Field(default_factory=list)
    # "Expected within" for an immediate stage: a target the card shows, never a legal deadline.
    target: Duration | None = None
    # A follow-on stage runs from the earlier stage's recorded submission (its deadline until one
    # is recorded): `months` calendar months (clamped to month end), then `deadline`.
    after: str | None = Field(default=None, pattern=r"^[a-z0-9_]{1,60}$")
    months: int = Field(default=0, ge=0, le=24)

    @model_validator(mode="after")
    def _check_offsets(self) -> Stage:
        longest = max([self.deadline, *(v.deadline for v in self.variants)])
        longest += timedelta(days=28) * self.months
        for offset in self.nudge_offsets or []:
            if not timedelta(0) < offset < longest:
                raise ValueError(
                    f"nudge_offsets: {format_duration(offset)} must be more than 0 and less than "
                    f"the deadline ({format_duration(longest)})"
                )
        if any(offset <= timedelta(0) for offset in self.nudge_after):
            raise ValueError("nudge_after: offsets must be more than 0")
        return self

    def deadline_for(self, answers: ClassificationAnswers) -> timedelta:
        """The shortest deadline among the default and every matching variant."""
        return min([self.deadline, *(v.deadline for v in self.variants if v.when.matches(answers))])


class LaterStart(BaseModel):
    """A later application date when its condition holds (EU AI Act Annex I products)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    when: Trigger
    applies_from: date


class Applicability(BaseModel):
    """Dates (inclusive, UTC) between which a regime binds; outside them it is informational."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    applies_from: date | None = None
    applies_until: date | None = None
    later_start: list[LaterStart] = Field(default_factory=list)

    def applies_on(self, day: date, answers: ClassificationAnswers | None = None) -> bool:
        """True when the regime binds on `day` (the first matching later start wins)."""
        start = self.applies_from
        if answers is not None:
            start = next(
                (v.applies_from for v in self.later_start if v.when.matches(answers)), start
            )
        if start is not None and day < start:
            return False
        return self.applies_until is None or day <= self.applies_until


class RecordField(BaseModel):
    """Something the decision must record, e.g. an Art. 33(3) item."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    label: str = Field(min_length=1)


class DecisionForm(BaseModel):
    """What the decision forms ask and cite for this regime (defaults suit an authority)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # None: the recipient gives no reference (data subjects), so the form does not ask for one.
    reference_label: str | None = "Authority's reference"
    phases_note: str | None = None
    late_reasons: str = "Required: say why it was not made in time"  # shown, and the error
    not_required: str = "Required: say why, and which rule you relied on"


class Regime(BaseModel):
    """One row of the regime table."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    name: str = Field(min_length=1)
    recipient: str | None = None
    trigger: Trigger
    # A decision to record, not a notification to make: only "Not required…" is offered.
    record_only: bool = False
    decision_form: DecisionForm = Field(default_factory=DecisionForm)
    clock_start: ClockStart = ClockStart.AWARE_AT
    stages: list[Stage] = Field(min_length=1)
    applicability: Applicability = Field(default_factory=Applicability)
    must_record: list[RecordField] = Field(default_factory=list)
    source: str = Field(min_length=1)
    notes: str | None = None

    @field_validator("stages")
    @classmethod
    def _unique_stage_ids(cls, stages: list[Stage]) -> list[Stage]:
        ids = [s.id for s in stages]
        if len(ids) != len(set(ids)):
            raise ValueError("stage ids must be unique within a regime")
        for index, stage in enumerate(stages):
            if stage.after is not None and stage.after not in ids[:index]:
                raise ValueError(f"stage {stage.id}: after must name an earlier stage")
        return stages


class RegimeOverrides(BaseModel):
    """The `regimes:` part of a firm's config: rows to disable, fields to override, rows to add."""

    model_config = ConfigDict(extra="forbid")
    disable: list[str] = Field(default_factory=list)
    override: dict[str, dict[str, Any]] = Field(default_factory=dict)
    add: list[dict[str, Any]] = Field(default_factory=list)


# ---------------------------------------------------------------- loading


def _error_text(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    msg = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def _validate_row(raw: Any, where: str) -> Regime:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each regime must be a mapping, got {raw!r}")
    try:
        return Regime.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_error_text(exc)}") from None


def _merge_row(base: dict[str, Any], patch: Mapping[str, Any], where: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if key == "id" and value != base["id"]:
            raise ConfigError(f"{where}: id cannot be changed; disable the row and add a new one")
        if key == "stages" and isinstance(value, Mapping):
            # A mapping patches stages by id, so a firm can retune one stage without restating all.
            stages = {s["id"]: s for s in merged["stages"]}
            for stage_id, stage_patch in value.items():
                if stage_id not in stages:
                    known = ", ".join(stages)
                    raise ConfigError(f"{where}: no stage {stage_id!r} to override (has {known})")
                if not isinstance(stage_patch, Mapping):
                    raise ConfigError(f"{where}: stages.{stage_id} must be a mapping")
                stages[stage_id].update(stage_patch)
        elif key == "applicability" and isinstance(value, Mapping):
            merged.setdefault("applicability", {}).update(value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _read_shipped(path: Path) -> list[dict[str, Any]]:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"regime table {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"regime table {path} is not valid YAML: {exc}") from None
    rows = raw.get("regimes") if isinstance(raw, dict) else None
    if not isinstance(rows, list):
        raise ConfigError(f"regime table {path} must hold a `regimes:` list")
    return rows


def load_regimes(
    shipped_yaml_path: Path = SHIPPED_REGIMES,
    overrides: RegimeOverrides | Mapping[str, Any] | None = None,
) -> list[Regime]:
    """Read the shipped table and apply the config's `regimes:` overrides; raise ConfigError."""
    raw: dict[str, dict[str, Any]] = {}
    regimes: dict[str, Regime] = {}
    for index, row in enumerate(_read_shipped(shipped_yaml_path)):
        regime = _validate_row(row, f"regime table {shipped_yaml_path}: regimes.{index}")
        if regime.id in regimes:
            raise ConfigError(f"regime table {shipped_yaml_path}: duplicate id {regime.id!r}")
        raw[regime.id], regimes[regime.id] = row, regime

    if overrides is None:
        overrides = RegimeOverrides()
    elif not isinstance(overrides, RegimeOverrides):
        try:
            overrides = RegimeOverrides.model_validate(overrides)
        except ValidationError as exc:
            raise ConfigError(f"regimes: {_error_text(exc)}") from None

    known = ", ".join(regimes)
    for regime_id, patch in overrides.override.items():
        if regime_id not in regimes:
            raise ConfigError(f"regimes.override: no regime {regime_id!r} (known: {known})")
        where = f"regimes.override.{regime_id}"
        regimes[regime_id] = _validate_row(_merge_row(raw[regime_id], patch, where), where)
    for regime_id in overrides.disable:
        if regime_id not in regimes:
            raise ConfigError(f"regimes.disable: no regime {regime_id!r} (known: {known})")
        del regimes[regime_id]
    for index, row in enumerate(overrides.add):
        regime = _validate_row(row, f"regimes.add.{index}")
        if regime.id in regimes or regime.id in raw:
            raise ConfigError(
                f"regimes.add.{index}: id {regime.id!r} already exists; use regimes.override"
            )
        regimes[regime.id] = regime
    return list(regimes.values())


# ---------------------------------------------------------------- evaluation


class DerivedStage(BaseModel):
    """A stage's due time and the nudges planned for it, all in UTC."""

    model_config = ConfigDict(frozen=True)
    id: str
    name: str
    due_at: datetime
    immediate: bool
    target_at: datetime | None = None
    nudge_times: list[datetime]

    @property
    def repeat_from(self) -> datetime:
        """Where overdue repeats start counting: the deadline or the last planned nudge."""
        return max([self.due_at, *self.nudge_times])


class DerivedObligation(BaseModel):
    """A triggered regime on one incident; informational when not yet (or no longer) in force."""

    model_config = ConfigDict(frozen=True)
    regime_id: str
    name: str
    recipient: str | None
    informational: bool
    clock_start: ClockStart
    clock_started_at: datetime
    stages: list[DerivedStage]
    record_only: bool = False
    decision_form: DecisionForm = Field(default_factory=DecisionForm)
    must_record: list[RecordField]
    source: str
    notes: str | None


def default_nudge_offsets(deadline: timedelta) -> list[timedelta]:
    """The 72 h ladder (48, 24, 12, 4, 1 h left) scaled to `deadline`, rounded to a tidy unit."""
    unit = timedelta(hours=1) if deadline >= timedelta(hours=72) else timedelta(minutes=5)
    offsets: list[timedelta] = []
    for mark in _LADDER_72H:
        scaled = deadline * (mark / timedelta(hours=72))
        rounded = unit * round(scaled / unit)
        if timedelta(0) < rounded < deadline and rounded not in offsets:
            offsets.append(rounded)
    return offsets


def add_months(moment: datetime, months: int) -> datetime:
    """`months` calendar months later, clamped to the month's end (29 Jan + 1 = 28 Feb)."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last))


def _derive_stage(
    stage: Stage,
    answers: ClassificationAnswers,
    clocks: Mapping[ClockStart, datetime],
    start: datetime,
    informational: bool,
) -> DerivedStage:
    deadline = stage.deadline_for(answers)
    due_at = add_months(start, stage.months) + deadline
    span = due_at - start  # the stage's own length, before any cap
    if stage.cap is not None:
        limit = clocks[stage.cap.clock_start] + stage.cap.deadline
        if start <= limit:
            due_at = min(due_at, limit)
    nudges: list[datetime] = []
    if not informational:
        offsets = stage.nudge_offsets
        if offsets is None:
            offsets = default_nudge_offsets(span)
        before = [due_at - o for o in offsets]
        after = [due_at + o for o in stage.nudge_after]
        # A nudge before the clock started (a capped stage) would announce a clock not yet running.
        nudges = sorted({t for t in [*before, *after] if t >= min(start, due_at)})
    # "On request" / "when it changes" stages have no fixed clock either: due, never late.
    immediate = deadline == timedelta(0) and stage.months == 0
    return DerivedStage(
        id=stage.id,
        name=stage.name,
        due_at=due_at,
        immediate=immediate,
        target_at=start + stage.target if stage.target is not None else None,
        nudge_times=nudges,
    )


def _derive_stages(
    regime: Regime,
    answers: ClassificationAnswers,
    clocks: Mapping[ClockStart, datetime],
    informational: bool,
    submitted: Mapping[tuple[str, str], datetime],
) -> list[DerivedStage]:
    """Stages in order; a follow-on stage starts at the earlier stage's submission, else its due."""
    start = clocks[regime.clock_start]
    derived: dict[str, DerivedStage] = {}
    for stage in regime.stages:
        anchor = start
        if stage.after is not None:
            anchor = submitted.get((regime.id, stage.after), derived[stage.after].due_at)
        derived[stage.id] = _derive_stage(stage, answers, clocks, anchor, informational)
    return list(derived.values())


def evaluate(
    regimes: Iterable[Regime],
    answers: ClassificationAnswers,
    *,
    classified_at: datetime,
    submitted: Mapping[tuple[str, str], datetime] | None = None,
) -> list[DerivedObligation]:
    """The obligations the answers trigger, in table order, with due times and nudges in UTC.

    `submitted` holds recorded submission times by (regime, stage): follow-on stages run from
    them."""
    classified = _utc(classified_at, "classified_at")
    clocks = {
        ClockStart.AWARE_AT: answers.aware_at,
        ClockStart.CLASSIFIED_AT: classified,
        ClockStart.MAJOR_AT: answers.dora_major_at or classified,
    }
    result: list[DerivedObligation] = []
    for regime in regimes:
        if not regime.trigger.matches(answers):
            continue
        informational = not regime.applicability.applies_on(answers.aware_at.date(), answers)
        start = clocks[regime.clock_start]
        stages = _derive_stages(regime, answers, clocks, informational, submitted or {})
        result.append(
            DerivedObligation(
                regime_id=regime.id,
                name=regime.name,
                recipient=regime.recipient,
                informational=informational,
                clock_start=regime.clock_start,
                clock_started_at=start,
                stages=stages,
                record_only=regime.record_only,
                decision_form=regime.decision_form,
                must_record=regime.must_record,
                source=regime.source,
                notes=regime.notes,
            )
        )
    return result


# ---------------------------------------------------------------- nudges and display


def overdue_nudge_times(
    due_at: datetime, now: datetime, every: timedelta = OVERDUE_EVERY
) -> list[datetime]:
    """Overdue repeats `due_at + k·every` (k ≥ 1) that have come due by `now`."""
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    count = max(0, (now - due_at) // every)
    return [due_at + every * k for k in range(1, count + 1)]


def next_overdue_nudge(
    due_at: datetime, now: datetime, every: timedelta = OVERDUE_EVERY
) -> datetime:
    """The first overdue repeat strictly after `now` (or `due_at + every` if not yet due)."""
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    count = max(0, (now - due_at) // every)
    return due_at + every * (count + 1)


def coalesce_due_nudges(nudge_times: Sequence[datetime], now: datetime) -> datetime | None:
    """The one nudge to send now: the latest that has come due, or None if none has."""
    due = [t for t in nudge_times if t <= now]
    return max(due) if due else None


def format_duration(delta: timedelta) -> str:
    """`1 d 4 h`, `3 h 12 m` or `12 m`: the two largest units, rounded down."""
    minutes = int(abs(delta) // timedelta(minutes=1))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        parts = [f"{days} d", f"{hours} h" if hours else ""]
    elif hours:
        parts = [f"{hours} h", f"{mins} m" if mins else ""]
    else:
        parts = [f"{mins} m"]
    return " ".join(p for p in parts if p)


def format_time_left(delta: timedelta) -> str:
    """Time until a deadline: `1 d 4 h`, `3 h 12 m`, `due now`, or `overdue by 2 h`."""
    if delta > timedelta(0):
        return format_duration(delta) if delta >= timedelta(minutes=1) else "under 1 m"
    if -delta < timedelta(minutes=1):
        return "due now"
    return f"overdue by {format_duration(delta)}"


def format_deadline(due_at: datetime, tz: tzinfo = UTC) -> str:
    """A deadline in `tz` for text fallbacks, e.g. `Tue 27 Oct 2026 00:30 GMT`."""
    local = due_at.astimezone(tz)
    return f"{local:%a %d %b %Y %H:%M} {local.tzname()}"
