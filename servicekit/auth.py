"""Municipality context from a verified bearer JWT (claims: municipality, roles; unit and person_id optional)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter, ValidationError

from servicekit.actor import Actor
from servicekit.clock import Clock, SystemClock
from servicekit.context import bind
from servicekit.errors import Unauthorized
from servicekit.types import Code, Identifier, Subject

ALGORITHM = "HS256"
_MUNICIPALITY = re.compile(r"[0-9]{4}")
# "service": another Forvalt service acting for a municipality (e.g. the decision service addressing a letter).
# "person": a citizen reading their own cases (a citizen portal); the token's `person_id` claim, else its subject,
# names the pseudonymous person. Until a real identity provider issues these, the portal's token service does.
ROLES = frozenset({"caseworker", "leader", "unit", "coordinator", "integrator", "operator", "service", "person"})
_MAX_ROLES = 20
_ROLE_OR_UNIT: TypeAdapter[str] = TypeAdapter(Code)
_SUBJECT: TypeAdapter[str] = TypeAdapter(Subject)
_PERSON: TypeAdapter[str] = TypeAdapter(Identifier)


# The caller of a route: the one "who acts" type, from the verified token.
Principal = Actor


class TokenVerifier:
    """Issues and verifies bearer tokens. Tokens live in real time, whatever clock the service's rules run on:
    their expiry is a matter of security, and PyJWT checks it against the machine's clock."""

    def __init__(self, secret: str, *, issuer: str, audience: str) -> None:
        self._secret = secret
        self._issuer = issuer
        self._audience = audience
        self._clock: Clock = SystemClock()

    def issue(
        self,
        *,
        municipality: str,
        roles: list[str],
        subject: str = "dev",
        unit: str | None = None,
        person_id: str | None = None,
        ttl: timedelta = timedelta(hours=12),
    ) -> str:
        now = self._clock.now()
        claims = {
            "sub": subject,
            "municipality": municipality,
            "roles": sorted(roles),
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": now + ttl,
        }
        if unit is not None:
            claims["unit"] = unit
        if person_id is not None:
            claims["person_id"] = person_id
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from exc
        municipality = claims.get("municipality")
        if not isinstance(municipality, str) or not _MUNICIPALITY.fullmatch(municipality):
            raise Unauthorized("invalid token: claim 'municipality' must be a 4-digit municipality number")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthorized("invalid token: claim 'roles' must be a list of strings")
        if len(roles) > _MAX_ROLES or not all(_valid(_ROLE_OR_UNIT, r) for r in roles):
            raise Unauthorized(f"invalid token: claim 'roles' must be at most {_MAX_ROLES} role codes")
        unit = claims.get("unit")
        if unit is not None and not (isinstance(unit, str) and _valid(_ROLE_OR_UNIT, unit)):
            raise Unauthorized("invalid token: claim 'unit' must be a unit code")
        person_id = claims.get("person_id")
        if person_id is not None and not (isinstance(person_id, str) and _valid(_PERSON, person_id)):
            raise Unauthorized("invalid token: claim 'person_id' must be a person id")
        # The subject is recorded with what the caller does ("recorded by"): one line, as wide as those columns.
        subject = claims["sub"]
        if not isinstance(subject, str) or not _valid(_SUBJECT, subject):
            raise Unauthorized("invalid token: claim 'sub' must be one line of 1 to 60 characters")
        return Principal(
            subject=subject, municipality=municipality, roles=frozenset(roles), unit=unit, person_id=person_id
        )


def _valid(kind: TypeAdapter[str], value: str) -> bool:
    try:
        kind.validate_python(value)
    except ValidationError:
        return False
    return True


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise Unauthorized("missing bearer token")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = verifier.verify(credentials.credentials)
    bind(municipality=principal.municipality)
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]
