"""Municipality configuration: the shipped files, and refusal of bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicekit.errors import NotFound
from servicekit.settings import REPO_ROOT
from servicekit.tenants import TenantConfigError, Tenants

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
    appeal_weeks: 4
  - code: {second_code}
    name: Trygghetsalarm
    legal_basis: ["forvaltningsloven"]
    appeal_body: Kommunal klagenemnd
    appeal_weeks: 3
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
