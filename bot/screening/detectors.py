"""Detectors for the shipped screening rules: pure functions from text to findings, and masking."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator

MaskKind = Literal[
    "email",
    "phone",
    "uk_nino",
    "payment_card",
    "iban",
    "secret",
    "name",
    "identifier",
    "citation",
    "url",
    "text",
]


@dataclass(frozen=True)
class Finding:
    """One match in the text; `value` is the raw match and must be masked before display."""

    kind: MaskKind
    value: str
    start: int
    end: int
    label: str


Span = tuple[int, int]


def _overlaps(start: int, end: int, spans: Iterable[Span]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)


# --- rule options (each rule's `options` in config is validated against one of these) ---


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoOptions(_Options):
    """The rule takes no options."""


class CrossClientOptions(_Options):
    """Which kinds of another client's data to look for."""

    names: bool = True
    identifiers: bool = True


class EmailOptions(_Options):
    """Domains whose addresses are expected in AI output (e.g. the firm's own)."""

    ignore_domains: list[str] = Field(default_factory=list)


class PhoneOptions(_Options):
    """Region used to read numbers written without a country code."""

    region: str = "GB"

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown phone region {value!r}")
        return value.upper()


class SecretsOptions(_Options):
    """Extra token regexes a firm wants caught (e.g. its own internal key format)."""

    extra_patterns: list[str] = Field(default_factory=list)

    @field_validator("extra_patterns")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from exc
        return value


class CitationOptions(_Options):
    """Which citation forms count as unverifiable."""

    case_citations: bool = True
    dois: bool = True
    urls: bool = True


class BoilerplateOptions(_Options):
    """Extra literal phrases (case-insensitive) that betray unreviewed output."""

    extra_phrases: list[str] = Field(default_factory=list)


# --- validators ---


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


_NINO_FIRST_BANNED = set("DFIQUV")
_NINO_SECOND_BANNED = set("DFIOQUV")
_NINO_PREFIX_BANNED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nino_valid(value: str) -> bool:
    """True when `value` (spaces allowed) is a well-formed UK National Insurance number."""
    compact = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact):
        return False
    first, second = compact[0], compact[1]
    return (
        first not in _NINO_FIRST_BANNED
        and second not in _NINO_SECOND_BANNED
        and compact[:2] not in _NINO_PREFIX_BANNED
    )


IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BR": 29, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "DO": 28, "EE": 20, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22,
    "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23,
    "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31,
    "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24,
    "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def iban_valid(value: str) -> bool:
    """True when `value` (spaces allowed) has its country's length and passes mod-97."""
    compact = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", compact):
        return False
    if IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# --- detectors ---

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)


def find_emails(text: str, options: EmailOptions) -> list[Finding]:
    """Email addresses, except those at an ignored domain or its subdomains."""
    ignored = [d.lower().lstrip("@") for d in options.ignore_domains]
    found = []
    for m in _EMAIL.finditer(text):
        domain = m.group().rsplit("@", 1)[1].lower()
        if any(domain == d or domain.endswith("." + d) for d in ignored):
            continue
        found.append(Finding("email", m.group(), m.start(), m.end(), "Email address"))
    return found


def find_phones(text: str, options: PhoneOptions, skip: Sequence[Span] = ()) -> list[Finding]:
    """Valid phone numbers per libphonenumber, outside spans already claimed by other rules."""
    found = []
    for m in phonenumbers.PhoneNumberMatcher(text, options.region):
        if _overlaps(m.start, m.end, skip):
            continue
        e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
        # The E.164 form, not the raw text, so the mask shows the right country code.
        found.append(Finding("phone", e164, m.start, m.end, "Phone number"))
    return found


_NINO = re.compile(r"(?<![\w])[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d](?!\w)")


def find_ninos(text: str, skip: Sequence[Span] = ()) -> list[Finding]:
    """UK National Insurance numbers that pass the prefix and suffix rules."""
    return [
        Finding("uk_nino", m.group(), m.start(), m.end(), "UK National Insurance number")
        for m in _NINO.finditer(text)
        if nino_valid(m.group()) and not _overlaps(m.start(), m.end(), skip)
    ]


_CARD = re.compile(r"(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w-])")


def find_cards(text: str, skip: Sequence[Span] = ()) -> list[Finding]:
    """13-19 digit numbers (spaces or dashes allowed) that pass Luhn."""
    found = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group())
        # A run of one repeated digit passes Luhn but is filler, not a card.
        if len(set(digits)) == 1 or not luhn_valid(digits):
            continue
        if not _overlaps(m.start(), m.end(), skip):
            found.append(Finding("payment_card", digits, m.start(), m.end(), "Payment card number"))
    return found


_IBAN_START = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2})(\d{2})")
_IBAN_CHAR = re.compile(r"[A-Z0-9]")


def find_ibans(text: str) -> list[Finding]:
    """IBANs of known countries, compact or in groups of four, that pass mod-97."""
    found = []
    for m in _IBAN_START.finditer(text):
        length = IBAN_LENGTHS.get(m.group(1).upper())
        if length is None:
            continue
        chars, pos = list(m.group()), m.end()
        # Walk forward so the country's length, not regex greed, decides where the IBAN ends;
        # a space is only accepted between groups of four, as IBANs are printed.
        while len(chars) < length and pos < len(text):
            if text[pos] == " " and len(chars) % 4 == 0:
                pos += 1
            if pos >= len(text) or not _IBAN_CHAR.match(text[pos]):
                break
            chars.append(text[pos])
            pos += 1
        value = "".join(chars)
        complete = len(chars) == length and not (pos < len(text) and text[pos].isalnum())
        if complete and iban_valid(value):
            found.append(Finding("iban", value, m.start(), pos, "IBAN"))
    return found


_SECRETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("Slack app token", re.compile(r"\bxapp-\d-[A-Za-z0-9-]{10,}")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})")),
    ("Stripe live key", re.compile(r"\b(?:sk|rk)_live_[0-9A-Za-z]{16,}")),
    ("OpenAI-style API key", re.compile(r"\bsk-[A-Za-z0-9_-]{20,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("Private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    ("JSON Web Token", re.compile(r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}", re.ASCII)),
)  # fmt: skip


def find_secrets(text: str, options: SecretsOptions) -> list[Finding]:
    """API keys, tokens and private keys in well-known formats."""
    patterns = list(_SECRETS) + [("Secret", re.compile(p)) for p in options.extra_patterns]
    found: list[Finding] = []
    for label, pattern in patterns:
        for m in pattern.finditer(text):
            if not _overlaps(m.start(), m.end(), [(f.start, f.end) for f in found]):
                found.append(Finding("secret", m.group(), m.start(), m.end(), label))
    return found


_UK_CITATION = re.compile(
    r"\[(?:1[89]|20)\d{2}\]\s+(?:\d{1,2}\s+)?"
    r"(?:UKSC|UKPC|UKHL|EWCA\s+(?:Civ|Crim)|EWHC|EWCOP|EWFC|UKUT|UKFTT|UKEAT|EAT|CSIH|CSOH"
    r"|AC|QB|KB|Ch|Fam|WLR|All\s?ER|Lloyd's\s+Rep|BCLC|BCC|ICR|IRLR|STC)"
    r"\s+\d{1,5}(?:\s*\((?:Ch|QB|KB|Fam|Comm|Admin|TCC|Pat|IPEC)\))?"
)
_US_CITATION = re.compile(
    r"\b\d{1,4}\s+"
    r"(?:U\.\s?S\.|S\.\s?Ct\.|L\.\s?Ed\.(?:\s?2d)?|F\.\s?Supp\.(?:\s?[23]d)?|F\.\s?App'x"
    r"|F\.(?:\s?(?:2d|3d|4th))?|A\.(?:\s?[23]d)?|P\.(?:\s?[23]d)?|N\.\s?E\.(?:\s?[23]d)?"
    r"|N\.\s?W\.(?:\s?2d)?|S\.\s?E\.(?:\s?2d)?|S\.\s?W\.(?:\s?[23]d)?|So\.(?:\s?[23]d)?)"
    r"\s+\d{1,5}\b"
)
_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>|]+")
_URL = re.compile(r"\bhttps?://[^\s<>|\"'`]+", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?)]}"


def _domain_allowed(host: str, allow: Sequence[str]) -> bool:
    host = host.lower().rstrip(".")
    for domain in allow:
        d = domain.lower().strip().lstrip(".")
        if d and (host == d or host.endswith("." + d)):
            return True
    return False


def find_citations(text: str, options: CitationOptions, allow: Sequence[str]) -> list[Finding]:
    """Case citations, DOIs and links to domains outside the allow-list."""
    found: list[Finding] = []
    url_spans: list[Span] = []
    for m in _URL.finditer(text):
        value = m.group().rstrip(_TRAILING_PUNCT)
        url_spans.append((m.start(), m.start() + len(value)))
        host = urlsplit(value).hostname or ""
        if options.urls and not _domain_allowed(host, allow):
            end = m.start() + len(value)
            found.append(Finding("url", value, m.start(), end, "Link outside allowed domains"))
    if options.dois:
        for m in _DOI.finditer(text):
            # A DOI inside a link is judged by the link's domain, not twice.
            if not _overlaps(m.start(), m.end(), url_spans):
                value = m.group().rstrip(_TRAILING_PUNCT)
                found.append(Finding("citation", value, m.start(), m.start() + len(value), "DOI"))
    if options.case_citations:
        for pattern in (_UK_CITATION, _US_CITATION):
            for m in pattern.finditer(text):
                if not _overlaps(m.start(), m.end(), url_spans):
                    found.append(
                        Finding("citation", m.group(), m.start(), m.end(), "Case citation")
                    )
    return found


_BOILERPLATE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE))
    for label, pattern in (
        ("AI self-reference", r"\bas an ai (?:language model|model|assistant)\b"),
        ("AI self-reference", r"\bas a (?:large )?language model\b"),
        (
            "AI capability disclaimer",
            r"\bI (?:cannot|can[’']?t|am (?:unable|not able) to) "
            r"(?:browse|access (?:the )?(?:internet|web|real-time))",
        ),
        (
            "Knowledge cutoff disclaimer",
            r"\b(?:as of )?my (?:knowledge|training(?: data)?) cut-?off\b"
            r"|\bas of my last (?:update|training(?: update)?)\b",
        ),
        ("Chatbot preamble", r"\bcertainly!\s+here(?:[’']s| is| are)\b"),
        (
            "Template placeholder",
            r"\[[^\[\]\n]{0,30}?\b(?:insert|your|name|date|amount|address|placeholder|recipient"
            r"|tbc|todo)\b[^\[\]\n]{0,30}\]",
        ),
        ("Template placeholder", r"\{\{\s*[^{}\n]{1,40}?\s*\}\}"),
        ("Template placeholder", r"<\s*(?:insert|your)\b[^<>\n]{0,60}>"),
    )
)


def find_boilerplate(text: str, options: BoilerplateOptions) -> list[Finding]:
    """Phrases and placeholders that show AI output went out unreviewed."""
    patterns = list(_BOILERPLATE) + [
        ("Boilerplate phrase", re.compile(re.escape(p), re.IGNORECASE))
        for p in options.extra_phrases
        if p.strip()
    ]
    return [
        Finding("text", m.group(), m.start(), m.end(), label)
        for label, pattern in patterns
        for m in pattern.finditer(text)
    ]


# --- masking ---


def _star_alnum(value: str, keep: int) -> str:
    return value[:keep] + "".join("*" if ch.isalnum() else ch for ch in value[keep:])


def _mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return "*** ***" + digits[-3:]
    return f"+{number.country_code} **** ***{str(number.national_number)[-3:]}"


def _mask_citation(value: str) -> str:
    if value.startswith("10."):
        return value.split("/", 1)[0] + "/***"
    return re.sub(r"\d+(?=\D*$)", lambda m: "*" * len(m.group()), value, count=1)


def mask(value: str, kind: MaskKind) -> str:
    """Return `value` with enough hidden that the display never carries the full match."""
    compact = re.sub(r"[\s-]", "", value)
    if kind == "email" and "@" in value:
        local, domain = value.rsplit("@", 1)
        out = f"{local[:1]}***@{domain}"
    elif kind == "phone":
        out = _mask_phone(value)
    elif kind == "uk_nino":
        out = f"{compact[:2].upper()} ** ** ** {compact[-1:].upper()}"
    elif kind == "payment_card":
        out = f"**** **** **** {compact[-4:]}"
    elif kind == "iban":
        out = f"{compact[:2].upper()}** **** **** {compact[-4:]}"
    elif kind == "secret":
        out = value[:4] + "****" if len(value) > 8 else "****"
    elif kind == "name":
        out = _star_alnum(value, 1)
    elif kind == "identifier":
        out = _star_alnum(value, 2 if len(value) > 4 else 0)
    elif kind == "citation":
        out = _mask_citation(value)
    elif kind == "url":
        parts = urlsplit(value)
        out = (parts.hostname or "") + "/…"
    else:
        out = _star_alnum(value, len(value) // 2)
    # Last line of defence: whatever the kind, the full value never survives masking.
    if value and value.lower() in out.lower():
        return "*" * min(len(value), 8)
    return out
