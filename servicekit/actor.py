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
    # For the role `person` (a citizen reading their own cases): the pseudonymous person id the token names.
    person_id: str | None = None

    @classmethod
    def service(cls, name: str, municipality: str) -> Actor:
        """The service `name` itself, acting for `municipality` (on an event of that municipality's case)."""
        return cls(subject=name, municipality=municipality, roles=frozenset({SERVICE_ROLE}))

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def require(self, *roles: str) -> None:
        if not self.has(*roles):
            raise Forbidden(f"this action needs one of the roles: {', '.join(sorted(roles))}")


@dataclass(frozen=True)
class CaseGrant:
    """The acting municipality may work on one case of another (`home`): a recorded hand-over to a partner office.

    It is made from the grant a repository found for that case in SQL, never from a request. With it, a unit of
    work acting for the partner emits that case's events for the home municipality (its feed, its deadlines) and
    reads the home's configuration, by which the partner works the case."""

    home: str
    case_id: str
