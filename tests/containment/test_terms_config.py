"""Contract terms in the config: a mistake stops start-up with a line that says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_policy_condition_with_a_typo_names_the_policy(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
notices:
  - {id: pi, kind: insurer, name: PI, window: 48h, contact: claims@broker.example,
     when: {field: client_actd, is_true: true}}
""",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "notices.0.when" in raised.value.message
    assert "unknown field 'client_actd'" in raised.value.message


def test_reenable_needs_an_approver_and_distinct_criteria(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
runbook:
  - id: draftbot
    name: DraftBot
    reenable: {criteria: [Root cause fixed, root cause fixed], approvers: [U0HEAD]}
""",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "runbook.0.reenable.criteria" in raised.value.message
    assert "distinct" in raised.value.message


def test_a_vendor_row_that_clashes_with_a_policy_id_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
regimes:
  add:
    - id: insurer_pi
      name: Tell the insurer
      trigger: {field: client_acted, is_true: true}
      stages: [{id: notify, name: Notify, deadline: 48h}]
      source: policy
notices:
  - {id: pi, kind: insurer, name: PI, window: 48h, contact: claims@broker.example}
""",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "'insurer_pi' is already a regime id" in raised.value.message
