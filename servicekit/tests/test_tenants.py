"""Municipality configuration: the shipped files, and refusal of bad ones."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from contracts.intake import Route
from servicekit.errors import NotFound
from servicekit.settings import REPO_ROOT
from servicekit.tenants import (
    AppealRule,
    Authority,
    CaseRoute,
    Frequency,
    TenantConfigError,
    Tenants,
    Weekday,
    appeal_rule_for,
    time_of_day,
)

SHIPPED = REPO_ROOT / "deploy" / "tenants"
SHIPPED_MUNICIPALITIES = {"3426": "Tolga", "5032": "Selbu", "1508": "Ålesund", "5026": "Holtålen"}

VALID = """\
municipality: "{municipality}"
name: Testvik
services:
  - code: home_nursing
    name: Helsetjenester i hjemmet
    legal_basis: ["helse- og omsorgstjenesteloven § 3-2"]
    appeal_body: Statsforvalteren
    appeal_rule: pasient_og_brukerrettighetsloven_7_5
  - code: {second_code}
    name: Trygghetsalarm
    legal_basis: ["forvaltningsloven"]
    appeal_body: Kommunal klagenemnd
    appeal_rule: forvaltningsloven_29
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def test_shipped_configuration_has_the_four_municipalities_each_with_a_catalogue() -> None:
    tenants = Tenants.load(SHIPPED)

    assert len(list(SHIPPED.glob("*.yaml"))) == 4
    for number, name in SHIPPED_MUNICIPALITIES.items():
        assert number in tenants
        tenant = tenants.get(number)
        assert tenant.municipality == number
        assert tenant.name == name
        assert tenant.services, f"{name} has an empty service catalogue"
        assert tenant.service("home_nursing") is not None


def test_tenant_finds_a_service_by_code_and_not_an_unknown_one(tmp_path: Path) -> None:
    write(tmp_path, "9999-testvik.yaml", VALID.format(municipality="9999", second_code="safety_alarm"))
    tenant = Tenants.load(tmp_path).get("9999")

    found = tenant.service("safety_alarm")
    assert found is not None
    assert found.appeal_weeks == 3
    assert tenant.service("nonexistent") is None


@pytest.mark.parametrize("number", ["999", "99999", "abcd", "9a99"])
def test_bad_municipality_number_is_a_config_error_naming_the_file(tmp_path: Path, number: str) -> None:
    write(tmp_path, "9999-testvik.yaml", VALID.format(municipality=number, second_code="safety_alarm"))

    with pytest.raises(TenantConfigError, match=r"9999-testvik\.yaml") as caught:
        Tenants.load(tmp_path)

    assert "municipality" in str(caught.value)


def test_unquoted_municipality_number_is_refused_not_reinterpreted(tmp_path: Path) -> None:
    # YAML reads 0301 as the octal integer 193; the loader must not quietly accept a number.
    text = VALID.format(municipality="0301", second_code="safety_alarm").replace('"0301"', "0301")
    write(tmp_path, "0301-oslo.yaml", text)

    with pytest.raises(TenantConfigError, match=r"0301-oslo\.yaml"):
        Tenants.load(tmp_path)


def test_duplicate_service_codes_are_a_config_error_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path, "9999-testvik.yaml", VALID.format(municipality="9999", second_code="home_nursing"))

    with pytest.raises(TenantConfigError, match=r"9999-testvik\.yaml") as caught:
        Tenants.load(tmp_path)

    assert "unique" in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("name: Testvik", "name: Testvik 漢", "name"),  # the letter font has no CJK glyphs
        ("name: Testvik", "name: " + "T" * 201, "name"),  # names are kept in columns 200 characters wide
        ("name: Trygghetsalarm", "name: Trygghetsalarm 🔔", "services.1.name"),
        (
            'legal_basis: ["forvaltningsloven"]',
            'legal_basis: ["forvaltningsloven \\u0000"]',
            "services.1.legal_basis.0",
        ),
        ("appeal_body: Kommunal klagenemnd", "appeal_body: Kommunal\u200bklagenemnd", "services.1.appeal_body"),
    ],
)
def test_a_name_or_legal_basis_the_letter_font_cannot_print_is_a_config_error_naming_the_field(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    # These are printed in every decision letter: one the font cannot print would stop each decision later.
    text = VALID.format(municipality="9999", second_code="safety_alarm").replace(old, new)
    write(tmp_path, "9999-testvik.yaml", text)

    with pytest.raises(TenantConfigError, match=r"9999-testvik\.yaml") as caught:
        Tenants.load(tmp_path)

    assert field in str(caught.value)


def test_sami_names_are_printed_in_letters_and_so_accepted(tmp_path: Path) -> None:
    text = (
        VALID.format(municipality="9999", second_code="safety_alarm")
        .replace("name: Testvik", "name: Kárášjoga gielda")
        .replace("name: Trygghetsalarm", "name: Ŋuolja Čoavji Đ Šiellá Ŧ Ž")
        .replace("appeal_body: Kommunal klagenemnd", "appeal_body: Guovdageainnu suohkan ŋ")
    )
    write(tmp_path, "9999-testvik.yaml", text)

    tenant = Tenants.load(tmp_path).get("9999")

    assert tenant.name == "Kárášjoga gielda"
    found = tenant.service("safety_alarm")
    assert found is not None
    assert found.name == "Ŋuolja Čoavji Đ Šiellá Ŧ Ž"
    assert found.appeal_body == "Guovdageainnu suohkan ŋ"


def test_a_catalogue_service_with_too_many_legal_bases_is_a_config_error(tmp_path: Path) -> None:
    many = ", ".join(f'"lov § {i}"' for i in range(21))
    text = VALID.format(municipality="9999", second_code="safety_alarm").replace('["forvaltningsloven"]', f"[{many}]")
    write(tmp_path, "9999-testvik.yaml", text)

    with pytest.raises(TenantConfigError, match="legal_basis"):
        Tenants.load(tmp_path)


def test_word_processor_typography_in_a_name_loads(tmp_path: Path) -> None:
    text = VALID.format(municipality="9999", second_code="safety_alarm").replace(
        "appeal_body: Kommunal klagenemnd", "appeal_body: Kommunal klagenemnd – «Testvik»"
    )
    write(tmp_path, "9999-testvik.yaml", text)

    assert Tenants.load(tmp_path).get("9999").services[1].appeal_body == "Kommunal klagenemnd – «Testvik»"


# --- the appeal rule: one entry sets the deadline and the paragraph the letters cite ---------------

HEALTH_RULE = "appeal_rule: pasient_og_brukerrettighetsloven_7_5"
BEYOND_RULE = "appeal_rule: forvaltningsloven_29"


def test_each_appeal_rule_has_its_weeks_and_the_paragraph_letters_cite() -> None:
    assert (AppealRule.FORVALTNINGSLOVEN_29.weeks, AppealRule.FORVALTNINGSLOVEN_29.cited) == (
        3,
        "forvaltningsloven § 29",
    )
    assert (
        AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5.weeks,
        AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5.cited,
    ) == (4, "pasient- og brukerrettighetsloven § 7-5")


@pytest.mark.parametrize(
    ("legal_basis", "rule"),
    [
        (["helse- og omsorgstjenesteloven § 3-2"], AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5),
        (
            ["forvaltningsloven", "pasient- og brukerrettighetsloven § 2-5"],
            AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5,
        ),
        (["Helse- og omsorgstjenesteloven § 3-6"], AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5),
        (["forvaltningsloven"], AppealRule.FORVALTNINGSLOVEN_29),
        (["kommunens retningslinjer for trygghetsalarm"], AppealRule.FORVALTNINGSLOVEN_29),
    ],
)
def test_a_service_citing_the_health_acts_falls_under_7_5_and_any_other_under_29(
    legal_basis: list[str], rule: AppealRule
) -> None:
    assert appeal_rule_for(legal_basis) is rule


def test_a_catalogue_entrys_appeal_weeks_are_its_rules(tmp_path: Path) -> None:
    write(tmp_path, "9999-testvik.yaml", VALID.format(municipality="9999", second_code="safety_alarm"))
    tenant = Tenants.load(tmp_path).get("9999")

    nursing, alarm = tenant.service("home_nursing"), tenant.service("safety_alarm")
    assert nursing is not None
    assert alarm is not None
    assert (nursing.appeal_rule, nursing.appeal_weeks) == (AppealRule.PASIENT_OG_BRUKERRETTIGHETSLOVEN_7_5, 4)
    assert (alarm.appeal_rule, alarm.appeal_weeks) == (AppealRule.FORVALTNINGSLOVEN_29, 3)


def test_every_shipped_service_has_the_rule_its_legal_basis_requires() -> None:
    tenants = Tenants.load(SHIPPED)

    for number in SHIPPED_MUNICIPALITIES:
        tenant = tenants.get(number)
        for service in tenant.services:
            assert service.appeal_rule is appeal_rule_for(service.legal_basis), (tenant.name, service.code)
        alarm = tenant.service("safety_alarm")
        assert alarm is not None, tenant.name
        assert alarm.appeal_rule is AppealRule.FORVALTNINGSLOVEN_29, tenant.name


def refused_catalogue(tmp_path: Path, old: str, new: str) -> str:
    text = VALID.format(municipality="9999", second_code="safety_alarm")
    assert old in text
    write(tmp_path, "9999-testvik.yaml", text.replace(old, new, 1))
    with pytest.raises(TenantConfigError, match=r"9999-testvik\.yaml") as caught:
        Tenants.load(tmp_path)
    return str(caught.value)


def test_appeal_weeks_disagreeing_with_the_rule_is_a_config_error_saying_the_rules_weeks(tmp_path: Path) -> None:
    message = refused_catalogue(tmp_path, BEYOND_RULE, BEYOND_RULE + "\n    appeal_weeks: 4")

    assert "services.1" in message
    assert (
        "appeal_weeks: service safety_alarm takes its weeks from appeal_rule; "
        "remove appeal_weeks: appeal_rule forvaltningsloven_29 gives 3 weeks (forvaltningsloven § 29)"
    ) in message


def test_appeal_weeks_agreeing_with_the_rule_is_refused_too_so_the_file_keeps_one_source(tmp_path: Path) -> None:
    message = refused_catalogue(tmp_path, HEALTH_RULE, HEALTH_RULE + "\n    appeal_weeks: 4")

    assert "services.0" in message
    assert "remove appeal_weeks: appeal_rule pasient_og_brukerrettighetsloven_7_5 gives 4 weeks" in message


def test_a_file_with_appeal_weeks_instead_of_a_rule_is_told_to_use_appeal_rule(tmp_path: Path) -> None:
    message = refused_catalogue(tmp_path, BEYOND_RULE, "appeal_weeks: 3")

    assert "services.1" in message
    assert (
        "appeal_weeks: service safety_alarm takes its weeks from appeal_rule; replace appeal_weeks with appeal_rule: "
        "forvaltningsloven_29 (forvaltningsloven § 29, 3 weeks) or "
        "pasient_og_brukerrettighetsloven_7_5 (pasient- og brukerrettighetsloven § 7-5, 4 weeks)"
    ) in message


def test_a_29_rule_on_a_health_act_service_is_a_config_error_naming_the_service_and_the_fix(tmp_path: Path) -> None:
    message = refused_catalogue(tmp_path, HEALTH_RULE, BEYOND_RULE)

    assert "services.0" in message
    assert "appeal_rule: service home_nursing uses forvaltningsloven_29" in message
    assert "its legal_basis cites helse- og omsorgstjenesteloven or pasient- og brukerrettighetsloven" in message
    assert "set appeal_rule: pasient_og_brukerrettighetsloven_7_5" in message


def test_a_7_5_rule_on_a_service_beyond_the_law_is_a_config_error_naming_the_service_and_the_fix(
    tmp_path: Path,
) -> None:
    message = refused_catalogue(tmp_path, BEYOND_RULE, HEALTH_RULE)

    assert "services.1" in message
    assert "appeal_rule: service safety_alarm uses pasient_og_brukerrettighetsloven_7_5" in message
    assert "cites neither helse- og omsorgstjenesteloven nor pasient- og brukerrettighetsloven" in message
    assert (
        "so its appeal deadline is forvaltningsloven § 29 (3 weeks): set appeal_rule: forvaltningsloven_29" in message
    )


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("", "services.0.appeal_rule\n  Field required"),
        ("appeal_rule: fvl_29", "services.0.appeal_rule\n  Input should be 'forvaltningsloven_29' or"),
    ],
)
def test_a_service_without_a_known_appeal_rule_is_a_config_error_naming_the_field(
    tmp_path: Path, new: str, expected: str
) -> None:
    assert expected in refused_catalogue(tmp_path, HEALTH_RULE, new)


def test_malformed_yaml_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path, "9999-testvik.yaml", "municipality: [unclosed\n")

    with pytest.raises(TenantConfigError, match=r"9999-testvik\.yaml"):
        Tenants.load(tmp_path)


def test_unknown_key_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path, "9999-testvik.yaml", VALID.format(municipality="9999", second_code="x") + "mayor: Per\n")

    with pytest.raises(TenantConfigError, match=r"9999-testvik\.yaml") as caught:
        Tenants.load(tmp_path)

    assert "mayor" in str(caught.value)


def test_one_bad_file_fails_the_whole_load(tmp_path: Path) -> None:
    write(tmp_path, "1111-good.yaml", VALID.format(municipality="1111", second_code="safety_alarm"))
    write(tmp_path, "2222-bad.yaml", VALID.format(municipality="222", second_code="safety_alarm"))

    with pytest.raises(TenantConfigError, match=r"2222-bad\.yaml"):
        Tenants.load(tmp_path)


def test_two_files_for_the_same_municipality_are_a_config_error(tmp_path: Path) -> None:
    write(tmp_path, "9999-a.yaml", VALID.format(municipality="9999", second_code="safety_alarm"))
    write(tmp_path, "9999-b.yaml", VALID.format(municipality="9999", second_code="safety_alarm"))

    with pytest.raises(TenantConfigError, match="same municipality"):
        Tenants.load(tmp_path)


def test_directory_without_configuration_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(TenantConfigError, match=r"\*\.yaml"):
        Tenants.load(tmp_path)


def test_unknown_municipality_is_not_found() -> None:
    tenants = Tenants.load(SHIPPED)

    assert "0301" not in tenants
    with pytest.raises(NotFound, match="0301") as caught:
        tenants.get("0301")

    assert caught.value.status == 404


# --- decision: the decision service's section ----------------------------------------------------

WITH_UNITS = (
    VALID.format(municipality="9999", second_code="safety_alarm")
    + """\
units:
  - code: home_care
    name: Hjemmetjenesten
children_unit:
  code: ke_children
  name: Koordinerende enhet for barn og unge
"""
)

DECISION = """\
decision:
  office:
    code: allocation_office
    name: Tildelingskontoret
  authority: meeting
  meeting:
    name: Tildelingsmøte
    frequency: weekly
    weekday: tuesday
    time: "09:00"
    cutoff:
      days_before: 1
      time: "12:00"
  delivering_units:
    home_nursing: home_care
    safety_alarm: ke_children
"""


def load_decision(tmp_path: Path, decision: str = DECISION) -> Tenants:
    write(tmp_path, "9999-testvik.yaml", WITH_UNITS + decision)
    return Tenants.load(tmp_path)


def refusal(tmp_path: Path, decision: str) -> str:
    with pytest.raises(TenantConfigError, match=r"9999-testvik\.yaml") as caught:
        load_decision(tmp_path, decision)
    return str(caught.value)


def test_every_shipped_municipality_has_a_decision_section() -> None:
    tenants = Tenants.load(SHIPPED)

    for number, name in SHIPPED_MUNICIPALITIES.items():
        decision = tenants.get(number).decision
        assert decision is not None, f"{name} has no decision: section"
        assert decision.unit_for("home_nursing") == "home_care"


def test_a_decision_section_loads_with_its_meeting_and_its_delivering_units(tmp_path: Path) -> None:
    decision = load_decision(tmp_path).get("9999").decision

    assert decision is not None
    assert decision.authority is Authority.MEETING
    assert decision.meeting is not None
    assert (decision.meeting.frequency, decision.meeting.weekday, decision.meeting.time) == (
        Frequency.WEEKLY,
        Weekday.TUESDAY,
        "09:00",
    )
    assert decision.meeting.weekday.number == 1
    assert time_of_day(decision.meeting.cutoff.time) == time(12, 0)
    assert decision.unit_for("home_nursing") == "home_care"
    assert decision.unit_for("safety_alarm") == "ke_children", "the children's unit may deliver"
    assert decision.unit_for("bpa") is None


def test_a_tenant_without_a_decision_section_still_loads_for_the_other_services(tmp_path: Path) -> None:
    write(tmp_path, "9999-testvik.yaml", WITH_UNITS)

    assert Tenants.load(tmp_path).get("9999").decision is None


def test_an_office_that_decides_alone_needs_no_meeting(tmp_path: Path) -> None:
    office_alone = DECISION.replace("authority: meeting", "authority: office").partition("  meeting:")[0] + (
        "  delivering_units:\n    home_nursing: home_care\n"
    )

    decision = load_decision(tmp_path, office_alone).get("9999").decision

    assert decision is not None
    assert (decision.authority, decision.meeting) == (Authority.OFFICE, None)


@pytest.mark.parametrize(
    "text",
    [
        'time: "12:60"',  # no such minute
        'time: "24:00"',  # no such hour
        'time: "9:00"',  # HH:MM, two digits
        "time: 12:00",  # unquoted: YAML 1.1 reads the number 720
    ],
)
def test_a_bad_cut_off_time_is_a_config_error_naming_the_file_and_field(tmp_path: Path, text: str) -> None:
    message = refusal(tmp_path, DECISION.replace('time: "12:00"', text))

    assert "decision.meeting.cutoff.time" in message


def test_a_monthly_meeting_without_week_of_month_is_a_config_error(tmp_path: Path) -> None:
    message = refusal(tmp_path, DECISION.replace("frequency: weekly", "frequency: monthly"))

    assert "decision.meeting" in message
    assert "week_of_month: required for a monthly meeting" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("weekday: tuesday", "weekday: tuesday\n    week_of_month: 2", "week_of_month: only a monthly meeting has one"),
        ("days_before: 1", "days_before: 0", "cutoff.time: on the meeting day itself"),
        ("weekday: tuesday", "weekday: saturday", "decision.meeting.weekday"),
        ("days_before: 1", "days_before: 29", "decision.meeting.cutoff.days_before"),
    ],
)
def test_an_inconsistent_meeting_schedule_is_a_config_error(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert expected in refusal(tmp_path, DECISION.replace(old, new))


def test_meeting_authority_without_a_meeting_is_a_config_error(tmp_path: Path) -> None:
    without_meeting = DECISION.partition("  meeting:")[0] + "  delivering_units:\n    home_nursing: home_care\n"

    message = refusal(tmp_path, without_meeting)

    assert "decision" in message
    assert "meeting: required when the authority is 'meeting'" in message


def test_a_delivering_unit_that_is_not_a_unit_of_the_municipality_is_a_config_error(tmp_path: Path) -> None:
    message = refusal(tmp_path, DECISION.replace("home_nursing: home_care", "home_nursing: spa_department"))

    assert "decision.delivering_units.home_nursing" in message
    assert "'spa_department' is not one of the municipality's units ['home_care', 'ke_children']" in message


def test_a_delivering_unit_for_a_service_outside_the_catalogue_is_a_config_error(tmp_path: Path) -> None:
    message = refusal(tmp_path, DECISION + "    massage: home_care\n")

    assert "decision.delivering_units.massage: not a service in the municipality's catalogue" in message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("authority: meeting", "authority: mayor", "decision.authority"),
        ("  office:\n", "  chair: Per\n  office:\n", "chair"),
        ("code: allocation_office", "code: Allocation Office", "decision.office.code"),
    ],
)
def test_an_unknown_or_malformed_decision_field_is_a_config_error(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    assert field in refusal(tmp_path, DECISION.replace(old, new, 1))


# --- decision.routes: another office for one route's cases -----------------------------------------

ROUTED = (
    DECISION
    + """\
  routes:
    allocation_office:
      office:
        code: allocation_office
        name: Forvaltningskontoret
      authority: office
"""
).replace("code: allocation_office\n    name: Tildelingskontoret", "code: ke_children\n    name: Koordinerende enhet")


def test_the_case_routes_are_intakes_routes() -> None:
    assert {r.value for r in CaseRoute} == {r.value for r in Route}


def test_a_route_with_its_own_office_is_decided_there_with_the_same_delivering_units(tmp_path: Path) -> None:
    decision = load_decision(tmp_path, ROUTED).get("9999").decision
    assert decision is not None

    adults = decision.for_route("allocation_office")
    children = decision.for_route("children_unit")

    assert (adults.office.code, adults.authority, adults.meeting) == ("allocation_office", Authority.OFFICE, None)
    assert adults.unit_for("home_nursing") == "home_care"
    assert (children.office.code, children.authority) == ("ke_children", Authority.MEETING)
    assert decision.for_route(None) == decision


def test_a_children_route_without_a_childrens_unit_is_a_config_error(tmp_path: Path) -> None:
    decision = (
        DECISION
        + """\
  routes:
    children_unit:
      office:
        code: ke_children
        name: Koordinerende enhet
      authority: office
"""
    )
    write(
        tmp_path,
        "9999-testvik.yaml",
        VALID.format(municipality="9999", second_code="safety_alarm")
        + """\
units:
  - code: home_care
    name: Hjemmetjenesten
  - code: ke_children
    name: Barn
"""
        + decision,
    )

    with pytest.raises(TenantConfigError, match=r"decision\.routes\.children_unit"):
        Tenants.load(tmp_path)


def test_holtalens_adults_are_decided_by_the_allocation_office_and_its_children_by_the_childrens_unit() -> None:
    decision = Tenants.load(SHIPPED).get("5026").decision
    assert decision is not None

    assert decision.for_route("children_unit").office.code == "ke_children"
    assert decision.for_route("children_unit").authority is Authority.MEETING
    assert decision.for_route("allocation_office").office.code == "allocation_office"
    assert decision.for_route("allocation_office").authority is Authority.OFFICE
