"""The decision configuration of every municipality, from the `decision:` section of its tenant file.

The section's models and the checks against the rest of the tenant file (delivering units are catalogue services
and the municipality's own units; a route's own office, `decision.routes`) live in servicekit/tenants.py, so a bad
section fails `Tenants.load` with the file and field named. What is left here is the decision service's own rule:
it decides for every configured municipality, so it refuses to start while one of them has no `decision:` section
(every shipped file has one). `Municipality` is one municipality as the use cases see it: its tenant file, its
decision rules and where its letters' recipients are asked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from servicekit.errors import NotFound
from servicekit.tenants import DecisionSettings, Tenant, Tenants
from services.decision.recipients import RecipientLookup, nobody


class DecisionConfigError(ValueError):
    pass


def decision_settings(tenant: Tenant) -> DecisionSettings:
    """The tenant's `decision:` section; a municipality without one is not decided here."""
    if tenant.decision is None:
        raise NotFound(f"municipality {tenant.municipality} has no decision configuration on this installation")
    return tenant.decision


class DecisionConfig:
    """The decision settings of every configured municipality, by number: checked once at start-up, so a
    municipality without a `decision:` section stops the start."""

    def __init__(self, by_number: dict[str, DecisionSettings]) -> None:
        self._by_number = by_number

    @classmethod
    def from_tenants(cls, tenants: Tenants) -> DecisionConfig:
        by_number: dict[str, DecisionSettings] = {}
        missing: list[str] = []
        for number in tenants.numbers():
            tenant = tenants.get(number)
            if tenant.decision is None:
                missing.append(f"{number} ({tenant.name})")
            else:
                by_number[number] = tenant.decision
        if missing:
            raise DecisionConfigError(
                f"no decision: section in the tenant configuration of municipality {', '.join(missing)}; "
                "the decision service needs one for every configured municipality (see deploy/tenants/*.yaml)"
            )
        return cls(by_number)

    def get(self, municipality: str) -> DecisionSettings:
        config = self._by_number.get(municipality)
        if config is None:
            raise NotFound(f"municipality {municipality} has no decision configuration on this installation")
        return config


@dataclass(frozen=True)
class Municipality:
    """What the decision service knows of one municipality: its tenant configuration and its decision rules."""

    tenant: Tenant
    config: DecisionSettings
    recipients: RecipientLookup = nobody

    @classmethod
    def of(cls, tenant: Tenant, recipients: RecipientLookup = nobody) -> Municipality:
        """The municipality a unit of work acts for (`uow.tenant`), with its decision rules."""
        return cls(tenant=tenant, config=decision_settings(tenant), recipients=recipients)

    def deciding(self, route: str | None) -> Municipality:
        """This municipality as it decides a case of `route` (intake's; none while intake has not told us): the
        route's own office where the tenant file's `decision.routes` names one (Holtålen's adults)."""
        return replace(self, config=self.config.for_route(route))

    @property
    def number(self) -> str:
        return self.tenant.municipality

    def service_name(self, code: str) -> str:
        service = self.tenant.service(code)
        return service.name if service else code

    def unit_name(self, code: str) -> str:
        unit = self.tenant.unit(code)
        if unit is not None:
            return unit.name
        if self.tenant.children_unit and self.tenant.children_unit.code == code:
            return self.tenant.children_unit.name
        return code
