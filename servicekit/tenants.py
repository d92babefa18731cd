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


class Tenant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    municipality: str = Field(pattern=r"^[0-9]{4}$")
    name: str = Field(min_length=1)
    language: Language = Language.BOKMAL
    services: list[CatalogueService] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_codes(self) -> Tenant:
        codes = [s.code for s in self.services]
        if len(codes) != len(set(codes)):
            raise ValueError("services: codes must be unique")
        return self

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
