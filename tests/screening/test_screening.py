"""Screening rules: table-driven positives and negatives, masking, scoring, flood guard."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bot.errors import InvalidInput
from bot.screening.detectors import iban_valid, luhn_valid, nino_valid
from bot.screening.scoring import (
    DEFAULT_RULES,
    FloodDecision,
    FloodGuard,
    RulePrecision,
    ScreeningConfig,
    is_screened,
    mask,
    rule_precision,
    screen,
)

ACME_CHANNEL = "C_ACME"
GLOBEX_CHANNEL = "C_GLOBEX"
TRUSTEES_CHANNEL = "C_TRUSTEES"


def make_config(**overrides: Any) -> ScreeningConfig:
    settings: dict[str, Any] = {
        "monitored_channels": [ACME_CHANNEL, GLOBEX_CHANNEL],
        "ai_bot_ids": ["B_COPILOT"],
        "ai_app_ids": ["A_COPILOT"],
        "teams_ai_app_ids": ["28:teams-ai"],
        "clients": [
            {
                "id": "acme",
                "name": "Acme Holdings",
                "aliases": ["AHL"],
                "channels": [ACME_CHANNEL],
                "identifiers": ["ENG-1001", "£480,000"],
            },
            {
                "id": "globex",
                "name": "Globex",
                "aliases": ["Globex Corporation", "GBX"],
                "channels": [GLOBEX_CHANNEL],
                "identifiers": ["ENG-2002", "£1,250,000"],
            },
            {
                "id": "smith",
                "name": "Smith & Co",
                "channels": [],
            },
            {
                "id": "smith-trustees",
                "name": "Smith & Co Trustees",
                "channels": [TRUSTEES_CHANNEL],
            },
        ],
        "url_allow_domains": ["gov.uk", "bailii.org"],
    }
    settings.update(overrides)
    return ScreeningConfig.model_validate(settings)


CONFIG = make_config()


def fired(text: str, rule_id: str, channel_id: str | None = None) -> list[str]:
    result = screen(text, channel_id=channel_id, config=CONFIG)
    return [s.excerpt for s in result.signals if s.rule_id == rule_id]


# --- validators ---


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("5500000000000004", True),
        ("378282246310005", True),
        ("6011111111111117", True),
        ("4111111111111112", False),
        ("1234567890123456", False),
        ("41111111111111x1", False),
    ],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("AB123456C", True),
        ("AB 12 34 56 C", True),
        ("JG103759A", True),
        ("ce123456d", True),
        ("DA123456A", False),  # D may not lead
        ("QQ123456C", False),  # Q may not lead
        ("AD123456A", False),  # D may not follow
        ("AO123456A", False),  # O may not follow
        ("BG123456A", False),
        ("GB123456A", False),
        ("KN123456A", False),
        ("NK123456A", False),
        ("NT123456A", False),
        ("TN123456A", False),
        ("ZZ123456A", False),
        ("AB123456E", False),  # suffix is A-D
        ("AB12345C", False),
    ],
)
def test_nino_validation(value: str, valid: bool) -> None:
    assert nino_valid(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("GB82WEST12345698765432", True),
        ("GB82 WEST 1234 5698 7654 32", True),
        ("DE89370400440532013000", True),
        ("FR1420041010050500013M02606", True),
        ("NL91ABNA0417164300", True),
        ("IE29AIBK93115212345678", True),
        ("ES9121000418450200051332", True),
        ("IT60X0542811101000000123456", True),
        ("BE68539007547034", True),
        ("CH9300762011623852957", True),
        ("GB82WEST12345698765431", False),  # check digits wrong
        ("GB82WEST1234569876543", False),  # one short for GB
        ("DE89370400440532013001", False),
        ("XX82WEST12345698765432", False),  # unknown country
    ],
)
def test_iban_validation(value: str, valid: bool) -> None:
    assert iban_valid(value) is valid


# --- rules, through screen() ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pay with 4111 1111 1111 1111 today", ["**** **** **** 1111"]),
        ("card 5500-0000-0000-0004.", ["**** **** **** 0004"]),
        ("amex 378282246310005", ["**** **** **** 0005"]),
        ("card 4111 1111 1111 1112", []),
        ("ref 1234567890123456", []),
        ("zeros 0000 0000 0000 0000", []),
        ("too short 4111 1111 111", []),
        ("IBAN GB82 WEST 1234 5698 7654 32", []),  # digits inside an IBAN are not a card
    ],
)
def test_payment_card_rule(text: str, expected: list[str]) -> None:
    assert fired(text, "payment_card") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NI number AB123456C on file", ["AB ** ** ** C"]),
        ("NI: AB 12 34 56 C.", ["AB ** ** ** C"]),
        ("ni jg103759a", ["JG ** ** ** A"]),
        ("example QQ123456C", []),
        ("bad prefix GB123456A", []),
        ("bad suffix AB123456E", []),
        ("word XAB123456C", []),
    ],
)
def test_uk_nino_rule(text: str, expected: list[str]) -> None:
    assert fired(text, "uk_nino") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Send to GB82 WEST 1234 5698 7654 32 by Friday", ["GB** **** **** 5432"]),
        ("IBAN: DE89370400440532013000.", ["DE** **** **** 3000"]),
        ("FR14 2004 1010 0505 0001 3M02 606", ["FR** **** **** 2606"]),
        ("NL91ABNA0417164300", ["NL** **** **** 4300"]),
        ("IBAN GB82 WEST 1234 5698 7654 31", []),
        ("IBAN GB82WEST123456987654321", []),  # too long for GB
        ("GB12 is the code", []),
    ],
)
def test_iban_rule(text: str, expected: list[str]) -> None:
    assert fired(text, "iban") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call 020 7946 0958 today", ["+44 **** ***958"]),
        ("mobile 07911 123456", ["+44 **** ***456"]),
        ("+44 (0)20 7946 0958", ["+44 **** ***958"]),
        ("+447911123456", ["+44 **** ***456"]),
        ("US office +1 202-456-1111", ["+1 **** ***111"]),
        ("Paris +33 1 42 68 53 00", ["+33 **** ***300"]),
        ("Berlin +49 30 901820", ["+49 **** ***820"]),
        ("Dublin +353 1 234 5678", ["+353 **** ***678"]),
        ("on 15/01/2024 and 2024-01-15", []),
        ("at 10:30 on 12.03.2024", []),
        ("fee £1,250,000 and 2,500,000.00", []),
        ("Invoice 123456 ref 98765432", []),
        ("engagement ENG-4471", []),
        ("https://www.gov.uk/contact/02079460958", []),
    ],
)
def test_phone_rule(text: str, expected: list[str]) -> None:
    assert fired(text, "phone") == expected


def test_phone_region_option_reads_national_numbers_for_that_region() -> None:
    config = make_config(rules=[{"id": "phone", "options": {"region": "US"}}])

    result = screen("call (202) 456-1111", channel_id=None, config=config)

    assert [s.excerpt for s in result.signals] == ["+1 **** ***111"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe@example.co.uk", ["j***@example.co.uk"]),
        ("<mailto:bob@acme.com|bob@acme.com>", ["b***@acme.com"]),
        ("ping @channel now", []),
        ("user at example dot com", []),
    ],
)
def test_email_rule(text: str, expected: list[str]) -> None:
    assert fired(text, "email") == expected


def test_email_rule_skips_ignored_domains() -> None:
    config = make_config(rules=[{"id": "email", "options": {"ignore_domains": ["ourfirm.com"]}}])

    result = screen("a@ourfirm.com b@mail.ourfirm.com c@client.com", channel_id=None, config=config)

    assert [s.excerpt for s in result.signals] == ["c***@client.com"]


@pytest.mark.parametrize(
    ("text", "label", "prefix"),
    [
        ("token xoxb-1234567890-abcdefghijkl", "Slack token", "xoxb"),
        ("xoxp-1234567890-1234567890-abcdef", "Slack token", "xoxp"),
        ("xapp-1-A0123456789-1234-abcdef0123", "Slack app token", "xapp"),
        ("AKIAIOSFODNN7EXAMPLE", "AWS access key id", "AKIA"),
        ("ghp_" + "a1B2" * 9, "GitHub token", "ghp_"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "GitHub token", "gith"),
        ("sk-proj-abcdefghijklmnopqrstuvwx123", "OpenAI-style API key", "sk-p"),
        ("AIza" + "Sy" + "A" * 33, "Google API key", "AIza"),
        ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "Stripe live key", "sk_l"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE", "Private key", "----"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9P",
         "JSON Web Token", "eyJh"),
    ],
)  # fmt: skip
def test_secrets_rule(text: str, label: str, prefix: str) -> None:
    result = screen(text, channel_id=None, config=CONFIG)

    [signal] = [s for s in result.signals if s.rule_id == "secrets"]
    assert signal.label == label
    assert signal.excerpt == prefix + "****"


@pytest.mark.parametrize(
    "text",
    ["the xox protocol", "sk-short", "AKIA123", "eyJ alone", "ghp_tooshort", "task_live_now"],
)
def test_secrets_rule_negatives(text: str) -> None:
    assert fired(text, "secrets") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See [2019] UKSC 12.", ["[2019] UKSC **"]),
        ("In [2020] EWCA Civ 123 the court", ["[2020] EWCA Civ ***"]),
        ("[2021] EWHC 456 (Ch)", ["[2021] EWHC *** (Ch)"]),
        ("Donoghue v Stevenson [1932] AC 562", ["[1932] AC ***"]),
        ("[2019] 1 WLR 1234", ["[2019] 1 WLR ****"]),
        ("Smith v Jones, 123 F.3d 456 (9th Cir. 1997)", ["123 F.3d ***"]),
        ("Roe v. Wade, 410 U.S. 113", ["410 U.S. ***"]),
        ("doi:10.1038/nature12373.", ["10.1038/***"]),
        ("source https://evil.example.com/case?id=1", ["evil.example.com/…"]),
        ("<https://gov.uk.evil.com/x|gov.uk>", ["gov.uk.evil.com/…"]),
        ("https://www.legislation.gov.uk/ukpga/2018/12", []),
        ("https://www.bailii.org/uk/cases/UKSC/2019/12.html", []),
        ("https://doi.org/10.1038/nature12373", ["doi.org/…"]),
        ("[2019] results were good", []),
        ("page 12 of 34, version 10.2", []),
    ],
)
def test_unverifiable_citation_rule(text: str, expected: list[str]) -> None:
    assert fired(text, "unverifiable_citation") == expected


def test_citation_options_can_switch_off_one_form() -> None:
    config = make_config(rules=[{"id": "unverifiable_citation", "options": {"urls": False}}])

    result = screen("https://evil.example.com and [2019] UKSC 12", channel_id=None, config=config)

    assert [s.label for s in result.signals] == ["Case citation"]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("As an AI language model, I think", "AI self-reference"),
        ("as a large language model I", "AI self-reference"),
        ("I cannot browse the internet", "AI capability disclaimer"),
        ("I can't access the web", "AI capability disclaimer"),
        ("As of my knowledge cutoff in 2023", "Knowledge cutoff disclaimer"),
        ("as of my last update", "Knowledge cutoff disclaimer"),
        ("Certainly! Here is the summary", "Chatbot preamble"),
        ("Dear [CLIENT NAME],", "Template placeholder"),
        ("Regards, [Your Name]", "Template placeholder"),
        ("Hello {{name}}", "Template placeholder"),
        ("Sent on &lt;insert date&gt;", "Template placeholder"),
        ("Sent on <insert date>", "Template placeholder"),
    ],
)
def test_ai_boilerplate_rule(text: str, label: str) -> None:
    result = screen(text, channel_id=None, config=CONFIG)

    assert [s.label for s in result.signals if s.rule_id == "ai_boilerplate"] == [label]


@pytest.mark.parametrize(
    "text",
    [
        "As an AI team we reviewed it",
        "See [Appendix A] and [2019]",
        "Certainly, the fee stands",
        "<@U123> please check",
        "{ not: a template }",
    ],
)
def test_ai_boilerplate_negatives(text: str) -> None:
    assert fired(text, "ai_boilerplate") == []


def test_boilerplate_extra_phrases_from_config() -> None:
    config = make_config(
        rules=[{"id": "ai_boilerplate", "options": {"extra_phrases": ["Generated by Copilot"]}}]
    )

    result = screen("generated by copilot", channel_id=None, config=config)

    assert [s.label for s in result.signals] == ["Boilerplate phrase"]


@pytest.mark.parametrize(
    ("text", "channel", "expected"),
    [
        ("Globex reported revenue up", ACME_CHANNEL, ["G*****"]),
        ("per GLOBEX CORPORATION filings", ACME_CHANNEL, ["G***** ***********"]),
        ("GBX engagement", ACME_CHANNEL, ["G**"]),
        ("The fee is £1,250,000.", ACME_CHANNEL, ["£1,***,***"]),
        ("The fee is 1250000 net", ACME_CHANNEL, ["12*****"]),
        ("per ENG-2002", ACME_CHANNEL, ["EN*-****"]),
        ("Acme Holdings and AHL approved ENG-1001", GLOBEX_CHANNEL,
         ["A*** ********", "A**", "EN*-****"]),
        # near misses: own names and figures, partial words, other figures
        ("Acme Holdings approved ENG-1001 and £480,000", ACME_CHANNEL, []),
        ("Globexcorp and GBXL are unrelated", ACME_CHANNEL, []),
        ("The fee is £21,250,000 or 1,250,000.50", ACME_CHANNEL, []),
        ("Smith & Co Trustees resolved", TRUSTEES_CHANNEL, []),
        ("Smith & Co (the firm) resolved", TRUSTEES_CHANNEL, ["S**** & **"]),
        ("Globex in an unmapped channel", "C_RANDOM", []),
        ("Globex with no channel", None, []),
    ],
)  # fmt: skip
def test_cross_client_rule(text: str, channel: str | None, expected: list[str]) -> None:
    assert fired(text, "cross_client", channel) == expected


def test_cross_client_label_names_the_other_client() -> None:
    result = screen("Globex", channel_id=ACME_CHANNEL, config=CONFIG)

    assert result.signals[0].label == "Names another client (globex)"
    assert result.suspected


# --- masking ---


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("john@acme.com", "email", "j***@acme.com"),
        ("+442079460958", "phone", "+44 **** ***958"),
        ("020 7946 0958", "phone", "+44 **** ***958"),
        ("4111 1111 1111 1234", "payment_card", "**** **** **** 1234"),
        ("QQ 12 34 56 C", "uk_nino", "QQ ** ** ** C"),
        ("GB82WEST12345698765432", "iban", "GB** **** **** 5432"),
        ("xoxb-1234567890-abc", "secret", "xoxb****"),
        ("short", "secret", "****"),
        ("Globex", "name", "G*****"),
        ("https://evil.com", "url", "evil.com/…"),
        ("a", "name", "*"),
    ],
)
def test_mask(value: str, kind: Any, expected: str) -> None:
    assert mask(value, kind) == expected


def test_no_signal_ever_carries_a_full_match() -> None:
    secrets = {
        "jane.doe@example.com": "email",
        "07911 123456": "phone",
        "AB 12 34 56 C": "nino",
        "4111 1111 1111 1111": "card",
        "GB82 WEST 1234 5698 7654 32": "iban",
        "xoxb-1234567890-abcdefghijkl": "slack",
        "AKIAIOSFODNN7EXAMPLE": "aws",
        "[2019] UKSC 12": "citation",
        "https://evil.example.com": "url",
        "Globex": "client",
        "£1,250,000": "figure",
        "As an AI language model": "boilerplate",
        "[CLIENT NAME]": "placeholder",
    }
    text = " | ".join(secrets)

    result = screen(text, channel_id=ACME_CHANNEL, config=CONFIG)

    assert {s.rule_id for s in result.signals} == {r.id for r in DEFAULT_RULES}
    for signal in result.signals:
        for raw in secrets:
            assert raw.lower() not in signal.excerpt.lower()
            assert raw.replace(" ", "") not in signal.excerpt.replace(" ", "")


# --- scoring, threshold, config ---


def test_score_counts_each_rule_once_and_threshold_decides_suspected() -> None:
    result = screen("a@x.com and b@y.com", channel_id=None, config=CONFIG)

    assert result.score == 0.4
    assert len(result.signals) == 2
    assert result.rule_ids == ["email"]
    assert not result.suspected


def test_score_exactly_at_threshold_is_suspected() -> None:
    result = screen("a@x.com As an AI language model", channel_id=None, config=CONFIG)

    assert result.score == 1.0
    assert result.suspected


@pytest.mark.parametrize(
    ("overrides", "suspected"),
    [
        ({}, False),
        ({"threshold": 0.3}, True),
        ({"rules": [{"id": "email", "score": 2}]}, True),
        ({"threshold": 0.3, "rules": [{"id": "email", "enabled": False}]}, False),
    ],
)
def test_config_changes_threshold_and_rule_scores(
    overrides: dict[str, Any], suspected: bool
) -> None:
    config = make_config(**overrides)

    assert screen("mail a@x.com", channel_id=None, config=config).suspected is suspected


def test_disabled_rule_produces_no_signal() -> None:
    config = make_config(rules=[{"id": "payment_card", "enabled": False}])

    result = screen("4111 1111 1111 1111", channel_id=None, config=config)

    assert result.signals == []
    assert result.score == 0


def test_signals_per_rule_are_capped_and_deduplicated() -> None:
    text = " ".join(f"{letter}@x.com" for letter in "abcabcdefgh")

    result = screen(text, channel_id=None, config=CONFIG)

    assert [s.excerpt for s in result.signals] == [f"{c}***@x.com" for c in "abcde"]
    assert result.score == 0.4


def test_clean_text_has_no_signals() -> None:
    result = screen(
        "The draft looks fine; send it Tuesday.", channel_id=ACME_CHANNEL, config=CONFIG
    )

    assert (result.score, result.signals, result.suspected) == (0, [], False)


@pytest.mark.parametrize(
    "overrides",
    [
        {"rules": [{"id": "no_such_rule"}]},
        {"rules": [{"id": "email"}, {"id": "email", "score": 1}]},
        {"rules": [{"id": "phone", "options": {"region": "XX"}}]},
        {"rules": [{"id": "phone", "options": {"colour": "red"}}]},
        {"rules": [{"id": "secrets", "options": {"extra_patterns": ["("]}}]},
        {"rules": [{"id": "email", "score": -1}]},
        {"threshold": 0},
        {"unknown_key": True},
        {"clients": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]},
        {"clients": [{"id": "a", "name": "A", "channels": ["C1"]},
                     {"id": "b", "name": "B", "channels": ["C1"]}]},
    ],
)  # fmt: skip
def test_bad_config_is_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        make_config(**overrides)


def test_rule_override_merges_options_and_keeps_other_defaults() -> None:
    config = make_config(rules=[{"id": "unverifiable_citation", "options": {"dois": False}}])

    [rule] = [r for r in config.effective_rules if r.id == "unverifiable_citation"]

    assert rule.score == 0.5
    assert rule.options.model_dump() == {"case_citations": True, "dois": False, "urls": True}


# --- who is screened ---


@pytest.mark.parametrize(
    ("bot_id", "app_id", "channel", "screen_all", "expected"),
    [
        ("B_COPILOT", None, ACME_CHANNEL, False, True),
        (None, "A_COPILOT", GLOBEX_CHANNEL, False, True),
        (None, "28:teams-ai", ACME_CHANNEL, False, True),
        ("B_COPILOT", None, "C_RANDOM", False, False),
        ("B_COPILOT", None, None, False, False),
        ("B_OTHER", "A_OTHER", ACME_CHANNEL, False, False),
        (None, None, ACME_CHANNEL, False, False),
        (None, None, ACME_CHANNEL, True, True),
        (None, None, "C_RANDOM", True, True),
    ],
)
def test_is_screened(
    bot_id: str | None, app_id: str | None, channel: str | None, screen_all: bool, expected: bool
) -> None:
    config = make_config(screen_all_messages=screen_all)

    screened = is_screened(
        author_bot_id=bot_id, author_app_id=app_id, channel_id=channel, config=config
    )

    assert screened is expected


# --- flood guard ---


@pytest.mark.parametrize(
    ("cap", "counts", "channel", "expected"),
    [
        (5, {}, "C1", FloodDecision.ALLOW),
        (5, {"C1": 4}, "C1", FloodDecision.ALLOW),
        (5, {"C1": 5}, "C1", FloodDecision.DIGEST),
        (5, {"C1": 9}, "C1", FloodDecision.DIGEST),
        (5, {"C1": 9}, "C2", FloodDecision.ALLOW),
        (0, {}, "C1", FloodDecision.DIGEST),
    ],
)
def test_flood_guard(
    cap: int, counts: dict[str, int], channel: str, expected: FloodDecision
) -> None:
    guard = FloodGuard.from_config(make_config(flood_cap_per_channel_per_hour=cap))

    assert guard.decide(channel_id=channel, counts=counts) is expected


def test_flood_guard_window_is_the_last_hour_and_needs_aware_time() -> None:
    guard = FloodGuard(cap_per_channel_per_hour=5)
    now = datetime(2025, 11, 26, 14, 5, tzinfo=UTC)

    assert guard.window_start(now) == datetime(2025, 11, 26, 13, 5, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        guard.window_start(datetime(2025, 11, 26, 14, 5))


def test_default_flood_cap_is_five() -> None:
    assert ScreeningConfig().flood_cap_per_channel_per_hour == 5


# --- rule precision ---


def test_rule_precision_counts_hits_and_confirmations_per_rule() -> None:
    decisions = [
        ("email", True),
        ("email", False),
        ("email", False),
        ("email", True),
        ("iban", True),
        ("ai_boilerplate", False),
    ]

    stats = rule_precision(decisions)

    assert stats == {
        "ai_boilerplate": RulePrecision(1, 0, 0.0),
        "email": RulePrecision(4, 2, 0.5),
        "iban": RulePrecision(1, 1, 1.0),
    }
    assert stats["email"] == (4, 2, 0.5)


def test_rule_precision_of_no_decisions_is_empty() -> None:
    assert rule_precision([]) == {}
