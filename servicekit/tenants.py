"""Municipality configuration, loaded from deploy/tenants/*.yaml and validated at start-up."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from servicekit.errors import NotFound


class Language(StrEnum):
    BOKMAL = "nb"
    NYNORSK = "nn"


class CatalogueService(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    legal_basis: list[str] = Field(min_length=1)
    appeal_body: str = Field(min_length=1)
    appeal_weeks: int = Field(ge=1, le=8)


class Unit(BaseModel):
    """A service unit that delivers services (and may assess, or write its own assessments)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    writes_own_assessments: bool = False


class ChildrenUnit(BaseModel):
    """A coordinating unit for children under 18 (Holtålen): their inquiries are routed to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)


class PartnerOffice(BaseModel):
    """Another municipality's allocation office that handles some of this municipality's cases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: str = Field(pattern=r"^[0-9]{4}$")
    name: str = Field(min_length=1)
    services: list[str] = Field(min_length=1, description="service codes handed over to this office")


class CriterionGround(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    text: str = Field(min_length=1)


class CareLadderStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    step: int = Field(ge=1, le=4)
    name: str = Field(min_length=1)
    grounds: list[CriterionGround] = Field(min_length=1)


class BtiLevel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    level: int = Field(ge=0, le=3)
    name: str = Field(min_length=1)


class Criteria(BaseModel):
    """The municipality's allocation criteria, as data: they guide, never replace, the assessment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    care_ladder: list[CareLadderStep] = Field(default_factory=list)
    bti_levels: list[BtiLevel] = Field(default_factory=list)
    coordinated_services: list[CriterionGround] = Field(default_factory=list)


class Tenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: str = Field(pattern=r"^[0-9]{4}$")
    name: str = Field(min_length=1)
    language: Language = Language.BOKMAL
    services: list[CatalogueService] = Field(min_length=1)
    units: list[Unit] = Field(default_factory=list)
    children_unit: ChildrenUnit | None = None
    partner_offices: list[PartnerOffice] = Field(default_factory=list)
    criteria: Criteria = Field(default_factory=Criteria)

    @model_validator(mode="after")
    def _consistent(self) -> Tenant:
        codes = [s.code for s in self.services]
        if len(codes) != len(set(codes)):
            raise ValueError("services: codes must be unique")
        unit_codes = [u.code for u in self.units]
        if len(unit_codes) != len(set(unit_codes)):
            raise ValueError("units: codes must be unique")
        for office in self.partner_offices:
            unknown = set(office.services) - set(codes)
            if unknown:
                raise ValueError(f"partner_offices[{office.municipality}]: unknown service codes {sorted(unknown)}")
            if office.municipality == self.municipality:
                raise ValueError("partner_offices: a municipality cannot be its own partner office")
        steps = [s.step for s in self.criteria.care_ladder]
        if len(steps) != len(set(steps)):
            raise ValueError("criteria.care_ladder: steps must be unique")
        return self

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    def partner_for(self, service_code: str) -> PartnerOffice | None:
        """The partner office this municipality sends cases of `service_code` to, if any."""
        return next((o for o in self.partner_offices if service_code in o.services), None)

    def service(self, code: str) -> CatalogueService | None:
        return next((s for s in self.services if s.code == code), None)


class TenantConfigError(ValueError):
    pass


class Tenants:
    """All configured municipalities, by number."""

    def __init__(self, tenants: list[Tenant]) -> None:
        self._by_number = {t.municipality: t for t in tenants}

    @classmethod
    def load(cls, directory: Path) -> Tenants:
        tenants = []
        for path in sorted(directory.glob("*.yaml")):
            try:
                tenants.append(Tenant.model_validate(yaml.safe_load(path.read_text())))
            except (ValidationError, yaml.YAMLError) as exc:
                raise TenantConfigError(f"{path.name}: {exc}") from exc
        if not tenants:
            raise TenantConfigError(f"no municipality configuration (*.yaml) in {directory}")
        numbers = [t.municipality for t in tenants]
        if len(numbers) != len(set(numbers)):
            raise TenantConfigError("two configuration files for the same municipality")
        return cls(tenants)

    def get(self, municipality: str) -> Tenant:
        tenant = self._by_number.get(municipality)
        if tenant is None:
            raise NotFound(f"municipality {municipality} is not configured on this installation")
        return tenant

    def __contains__(self, municipality: str) -> bool:
        return municipality in self._by_number

    def numbers(self) -> list[str]:
        """The configured municipality numbers, in order."""
        return sorted(self._by_number)
