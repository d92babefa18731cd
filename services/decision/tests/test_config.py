"""The decision configuration per municipality: shipped defaults, and start-up errors naming file and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.coordination import RequestedRight
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenants
from services.decision.config import DEFAULT_FILE, Authority, DecisionConfig, DecisionConfigError, Frequency
from services.decision.main import Settings, spec

TENANTS = Tenants.load(REPO_ROOT / "deploy" / "tenants")


def _shipped() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DEFAULT_FILE.read_text(encoding="utf-8"))
    return loaded


def _load(tmp_path: Path, content: dict[str, Any] | str) -> DecisionConfig:
    path = tmp_path / "municipalities.yaml"
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True))
    return DecisionConfig.load(path, TENANTS)


def test_the_shipped_defaults_give_tolga_a_weekly_meeting_with_monday_noon_cut_off_and_unit_leader_authority() -> None:
    config = DecisionConfig.load(DEFAULT_FILE, TENANTS)

    tolga = config.get("3426")
    assert tolga.authority is Authority.UNIT_LEADER
    assert tolga.meeting is not None
    assert (tolga.meeting.frequency, tolga.meeting.weekday.value, tolga.meeting.time) == (
        Frequency.WEEKLY,
        "tuesday",
        "09:00",
    )
    assert (tolga.meeting.cutoff.days_before, tolga.meeting.cutoff.time) == (1, "12:00")


def test_the_shipped_defaults_let_selbu_and_alesund_offices_decide_alone_and_holtalen_decide_in_a_monthly_meeting() -> (
    None
):
    config = DecisionConfig.load(DEFAULT_FILE, TENANTS)

    for number in ("5032", "1508"):
        assert config.get(number).authority is Authority.OFFICE
        assert config.get(number).meeting is None
    holtalen = config.get("5026")
    assert holtalen.authority is Authority.MEETING
    assert holtalen.meeting is not None
    assert (holtalen.meeting.frequency, holtalen.meeting.week_of_month) == (Frequency.MONTHLY, 1)
    assert holtalen.office.name == "Koordinerende enhet for barn og unge"


@pytest.mark.parametrize("number", ["3426", "5032", "1508", "5026"])
def test_every_catalogue_service_but_the_coordination_rights_has_a_delivering_unit(number: str) -> None:
    config = DecisionConfig.load(DEFAULT_FILE, TENANTS).get(number)
    rights = {r.value for r in RequestedRight}

    missing = [s.code for s in TENANTS.get(number).services if s.code not in rights and config.unit_for(s.code) is None]

    assert missing == []


def test_an_unquoted_clock_time_stops_the_start_naming_the_file_and_field(tmp_path: Path) -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8").replace('time: "12:00"', "time: 12:00", 1)

    with pytest.raises(DecisionConfigError) as error:
        _load(tmp_path, text)

    assert "municipalities.yaml: 3426: meeting.cutoff.time" in str(error.value)


def test_a_unit_the_municipality_does_not_have_stops_the_start(tmp_path: Path) -> None:
    content = _shipped()
    content["3426"]["delivering_units"]["home_nursing"] = "spa_department"

    with pytest.raises(DecisionConfigError) as error:
        _load(tmp_path, content)

    assert "3426.delivering_units.home_nursing" in str(error.value)
    assert "spa_department" in str(error.value)


def test_a_service_outside_the_catalogue_stops_the_start(tmp_path: Path) -> None:
    content = _shipped()
    content["5032"]["delivering_units"]["massage"] = "home_care"

    with pytest.raises(DecisionConfigError, match=r"5032.delivering_units.massage: not a service"):
        _load(tmp_path, content)


def test_meeting_authority_without_a_meeting_stops_the_start(tmp_path: Path) -> None:
    content = _shipped()
    del content["5026"]["meeting"]

    with pytest.raises(DecisionConfigError, match=r"5026: .*meeting: required when the authority is 'meeting'"):
        _load(tmp_path, content)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frequency": "monthly"}, "week_of_month: required for a monthly meeting"),
        ({"week_of_month": 2}, "week_of_month: only a monthly meeting has one"),
        ({"cutoff": {"days_before": 0, "time": "10:00"}}, "cutoff.time: on the meeting day itself"),
        ({"weekday": "saturday"}, "meeting.weekday"),
    ],
)
def test_an_inconsistent_meeting_schedule_stops_the_start(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    content = _shipped()
    content["3426"]["meeting"].update(change)

    with pytest.raises(DecisionConfigError, match=message):
        _load(tmp_path, content)


def test_a_municipality_without_decision_configuration_stops_the_start(tmp_path: Path) -> None:
    content = _shipped()
    del content["1508"]

    with pytest.raises(DecisionConfigError, match="no decision configuration for municipality 1508"):
        _load(tmp_path, content)


def test_a_municipality_that_is_not_configured_as_a_tenant_stops_the_start(tmp_path: Path) -> None:
    content = _shipped()
    content["5001"] = content["5032"]

    with pytest.raises(DecisionConfigError, match="5001: no such municipality"):
        _load(tmp_path, content)


def test_an_unquoted_municipality_number_stops_the_start(tmp_path: Path) -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8").replace('"5032":', "5032:", 1)

    with pytest.raises(DecisionConfigError, match="quoted 4-digit strings"):
        _load(tmp_path, text)


def test_the_service_refuses_to_start_with_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("3426: [unclosed\n")

    with pytest.raises(DecisionConfigError, match=r"broken\.yaml"):
        spec(Settings(environment="test", municipalities_file=broken))
