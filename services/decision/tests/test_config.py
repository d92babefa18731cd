"""The decision configuration per municipality, from the `decision:` section of each tenant file: the shipped
defaults, and start-up errors naming file and field."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts.coordination import RequestedRight
from servicekit.clock import FixedClock
from servicekit.errors import NotFound
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Authority, Frequency, TenantConfigError, Tenants
from services.decision.config import DecisionConfig, DecisionConfigError
from services.decision.main import Settings, app, spec
from services.decision.tests.support import CLOCK_START

SHIPPED = REPO_ROOT / "deploy" / "tenants"
TENANTS = Tenants.load(SHIPPED)
FILES = {
    "3426": "3426-tolga.yaml",
    "5032": "5032-selbu.yaml",
    "1508": "1508-alesund.yaml",
    "5026": "5026-holtalen.yaml",
}


def _tenant_files(tmp_path: Path) -> Path:
    """A copy of the shipped tenant files, to spoil one of."""
    directory = tmp_path / "tenants"
    shutil.copytree(SHIPPED, directory)
    return directory


def _edit(tmp_path: Path, number: str, change: Callable[[dict[str, Any]], None]) -> Path:
    directory = _tenant_files(tmp_path)
    path = directory / FILES[number]
    content: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


def _refused(directory: Path) -> str:
    with pytest.raises(TenantConfigError) as error:
        Tenants.load(directory)
    return str(error.value)


def test_the_shipped_defaults_give_tolga_a_weekly_meeting_with_monday_noon_cut_off_and_unit_leader_authority() -> None:
    config = DecisionConfig.from_tenants(TENANTS)

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
    config = DecisionConfig.from_tenants(TENANTS)

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
    config = DecisionConfig.from_tenants(TENANTS).get(number)
    rights = {r.value for r in RequestedRight}

    missing = [s.code for s in TENANTS.get(number).services if s.code not in rights and config.unit_for(s.code) is None]

    assert missing == []


def test_the_decision_configuration_is_the_tenant_files_own_section() -> None:
    config = DecisionConfig.from_tenants(TENANTS)

    for number in FILES:
        assert config.get(number) is TENANTS.get(number).decision


def test_a_municipality_not_configured_here_is_not_found() -> None:
    with pytest.raises(NotFound, match="0301"):
        DecisionConfig.from_tenants(TENANTS).get("0301")


def test_an_unquoted_clock_time_stops_the_start_naming_the_file_and_field(tmp_path: Path) -> None:
    directory = _tenant_files(tmp_path)
    tolga = directory / FILES["3426"]
    tolga.write_text(tolga.read_text(encoding="utf-8").replace('time: "12:00"', "time: 12:00", 1), encoding="utf-8")

    message = _refused(directory)

    assert "3426-tolga.yaml" in message
    assert "decision.meeting.cutoff.time" in message


def test_a_unit_the_municipality_does_not_have_stops_the_start(tmp_path: Path) -> None:
    def spoil(content: dict[str, Any]) -> None:
        content["decision"]["delivering_units"]["home_nursing"] = "spa_department"

    message = _refused(_edit(tmp_path, "3426", spoil))

    assert "3426-tolga.yaml" in message
    assert "decision.delivering_units.home_nursing" in message
    assert "spa_department" in message


def test_holtalens_children_unit_may_deliver_a_service(tmp_path: Path) -> None:
    children_unit = TENANTS.get("5026").children_unit
    assert children_unit is not None

    def deliver_from_children_unit(content: dict[str, Any]) -> None:
        content["decision"]["delivering_units"]["support_contact"] = children_unit.code

    config = DecisionConfig.from_tenants(Tenants.load(_edit(tmp_path, "5026", deliver_from_children_unit)))

    assert config.get("5026").unit_for("support_contact") == children_unit.code


def test_a_service_outside_the_catalogue_stops_the_start(tmp_path: Path) -> None:
    def spoil(content: dict[str, Any]) -> None:
        content["decision"]["delivering_units"]["massage"] = "home_care"

    message = _refused(_edit(tmp_path, "5032", spoil))

    assert "5032-selbu.yaml" in message
    assert "decision.delivering_units.massage: not a service" in message


def test_meeting_authority_without_a_meeting_stops_the_start(tmp_path: Path) -> None:
    def spoil(content: dict[str, Any]) -> None:
        del content["decision"]["meeting"]

    message = _refused(_edit(tmp_path, "5026", spoil))

    assert "5026-holtalen.yaml" in message
    assert "meeting: required when the authority is 'meeting'" in message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frequency": "monthly"}, "week_of_month: required for a monthly meeting"),
        ({"week_of_month": 2}, "week_of_month: only a monthly meeting has one"),
        ({"cutoff": {"days_before": 0, "time": "10:00"}}, "cutoff.time: on the meeting day itself"),
        ({"weekday": "saturday"}, "decision.meeting.weekday"),
    ],
)
def test_an_inconsistent_meeting_schedule_stops_the_start(tmp_path: Path, change: dict[str, Any], message: str) -> None:
    def spoil(content: dict[str, Any]) -> None:
        content["decision"]["meeting"].update(change)

    refusal = _refused(_edit(tmp_path, "3426", spoil))

    assert "3426-tolga.yaml" in refusal
    assert message in refusal


def test_a_municipality_without_decision_configuration_stops_the_start(tmp_path: Path) -> None:
    def drop(content: dict[str, Any]) -> None:
        del content["decision"]

    tenants = Tenants.load(_edit(tmp_path, "1508", drop))
    assert tenants.get("1508").decision is None, "the other services still load it"

    with pytest.raises(DecisionConfigError, match=r"no decision: section .* municipality 1508 \(Ålesund\)"):
        DecisionConfig.from_tenants(tenants)


def test_the_service_refuses_to_start_without_a_decision_section(tmp_path: Path) -> None:
    def drop(content: dict[str, Any]) -> None:
        del content["decision"]

    directory = _edit(tmp_path, "5032", drop)

    with pytest.raises(DecisionConfigError, match=r"5032 \(Selbu\)"):
        app(Settings(environment="test", tenants_dir=directory, telemetry_exporter="memory"), FixedClock(CLOCK_START))


def test_the_service_refuses_to_start_with_a_broken_tenant_file(tmp_path: Path) -> None:
    directory = _tenant_files(tmp_path)
    (directory / FILES["3426"]).write_text("decision: [unclosed\n", encoding="utf-8")

    with pytest.raises(TenantConfigError, match=r"3426-tolga\.yaml"):
        app(Settings(environment="test", tenants_dir=directory, telemetry_exporter="memory"), FixedClock(CLOCK_START))


# --- rule 5: who decides a route's cases ----------------------------------------------------------


def test_holtalens_adults_are_decided_by_the_allocation_office_and_its_children_by_the_childrens_unit_meeting() -> None:
    config = DecisionConfig.from_tenants(TENANTS).get("5026")

    children = config.for_route("children_unit")
    adults = config.for_route("allocation_office")
    assert (children.office.code, children.authority, children.meeting is not None) == (
        "ke_children",
        Authority.MEETING,
        True,
    )
    assert (adults.office.code, adults.office.name, adults.authority, adults.meeting) == (
        "allocation_office",
        "Forvaltningskontoret",
        Authority.OFFICE,
        None,
    )
    assert adults.delivering_units == children.delivering_units, "the same units deliver"


@pytest.mark.parametrize("number", ["3426", "5032", "1508"])
def test_the_other_municipalities_decide_every_route_as_their_decision_section_says(number: str) -> None:
    config = DecisionConfig.from_tenants(TENANTS).get(number)

    for route in ("allocation_office", "children_unit", "coordinating_unit", None):
        assert config.for_route(route) == config


def test_a_route_decided_in_a_meeting_without_a_meeting_stops_the_start_naming_the_file(tmp_path: Path) -> None:
    directory = _tenant_files(tmp_path)
    path = directory / FILES["5026"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("      authority: office\n", "      authority: meeting\n"), encoding="utf-8")

    with pytest.raises(TenantConfigError, match=r"(?s)5026-holtalen\.yaml.*meeting: required"):
        app(Settings(environment="test", tenants_dir=directory, telemetry_exporter="memory"), FixedClock(CLOCK_START))


def test_the_spec_is_built_without_the_tenant_files_which_only_the_runtime_loads(tmp_path: Path) -> None:
    service = spec(Settings(environment="test", tenants_dir=tmp_path / "no-such-directory"))

    assert service.name == "decision"
    assert service.routers
    assert service.handlers.topics
