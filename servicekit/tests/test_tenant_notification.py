"""A tenant file's `notification:` section: per deadline kind, the reminder's lead, its recipients and escalation;
validated at start-up, absent where the municipality keeps every default."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicekit.tenants import RecipientRole, TenantConfigError, Tenants
from servicekit.tests.test_tenants import SHIPPED, VALID, write


def _loaded(tmp_path: Path, section: str) -> Tenants:
    write(tmp_path, "9999-testvik.yaml", VALID.format(municipality="9999", second_code="safety_alarm") + section)
    return Tenants.load(tmp_path)


def _refusal(tmp_path: Path, section: str) -> str:
    with pytest.raises(TenantConfigError) as caught:
        _loaded(tmp_path, section)
    return str(caught.value)


def test_a_municipality_without_a_notification_section_overrides_no_kind(tmp_path: Path) -> None:
    assert _loaded(tmp_path, "").get("9999").notification.kinds == {}


def test_a_kind_can_set_its_lead_recipients_and_escalation_rhythm(tmp_path: Path) -> None:
    section = """\
notification:
  kinds:
    annual_report:
      remind_days_before: 21
      recipients: [responsible, leader]
    preliminary_reply:
      escalate_every_days: 3
    a_kind_of_tomorrow:
      escalates: false
"""
    kinds = _loaded(tmp_path, section).get("9999").notification.kinds

    report = kinds["annual_report"]
    assert (report.remind_days_before, report.recipients) == (21, [RecipientRole.RESPONSIBLE, RecipientRole.LEADER])
    assert (kinds["preliminary_reply"].escalate_every_days, kinds["preliminary_reply"].remind_days_before) == (3, None)
    assert kinds["a_kind_of_tomorrow"].escalates is False


@pytest.mark.parametrize(
    ("kind_settings", "named"),
    [
        ("remind_days_before: -1", "remind_days_before"),
        ("remind_days_before: 400", "remind_days_before"),
        ("recipients: [responsible, mayor]", "recipients"),
        ("recipients: []", "recipients"),
        ("recipients: [leader, leader]", "each role once"),
        ("escalate_every_days: 0", "escalate_every_days"),
        ("escalates: false\n      escalate_every_days: 7", "does not escalate has no rhythm"),
        ("remind_before: 5", "remind_before"),
    ],
)
def test_a_malformed_kind_setting_stops_the_start_naming_the_field(
    tmp_path: Path, kind_settings: str, named: str
) -> None:
    section = f"notification:\n  kinds:\n    preliminary_reply:\n      {kind_settings}\n"

    refused = _refusal(tmp_path, section)

    assert "9999-testvik.yaml" in refused
    assert named in refused


def test_an_unknown_key_in_the_section_or_a_kind_that_is_no_code_stops_the_start(tmp_path: Path) -> None:
    assert "reminders" in _refusal(tmp_path, "notification:\n  reminders: 5\n")
    assert "Annual Report" in _refusal(tmp_path, "notification:\n  kinds:\n    Annual Report:\n      escalates: true\n")


def test_the_shipped_municipalities_set_their_kinds_as_their_routines_say() -> None:
    tenants = Tenants.load(SHIPPED)

    alesund = tenants.get("1508").notification.kinds
    training = alesund["coordinator_training"]
    assert (training.remind_days_before, training.recipients, training.escalate_every_days) == (
        30,
        [RecipientRole.RESPONSIBLE, RecipientRole.LEADER],
        14,
    )
    assert tenants.get("3426").notification.kinds["decision_review"].remind_days_before == 30
    assert tenants.get("5032").notification.kinds["preliminary_reply"].escalate_every_days == 7
