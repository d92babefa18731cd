"""Who acts: one type for a person with a verified token and for a service acting on an event."""

from __future__ import annotations

from dataclasses import dataclass

from servicekit.errors import Forbidden

# The role a service holds when it acts for a municipality: on a consumed event, or calling another service's
# API (the decision service addressing a letter asks intake's person register).
SERVICE_ROLE = "service"


@dataclass(frozen=True)
class Actor:
    """A user of one municipality with roles (and, for the role `unit`, the unit they work in), or a service
    acting for one municipality. Every unit of work is opened for one actor, and so for one municipality."""

    subject: str
    municipality: str
    roles: frozenset[str]
    unit: str | None = None

    @classmethod
    def service(cls, name: str, municipality: str) -> Actor:
        """The service `name` itself, acting for `municipality` (on an event of that municipality's case)."""
        return cls(subject=name, municipality=municipality, roles=frozenset({SERVICE_ROLE}))

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def require(self, *roles: str) -> None:
        if not self.has(*roles):
            raise Forbidden(f"this action needs one of the roles: {', '.join(sorted(roles))}")
