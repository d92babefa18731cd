"""Who a letter goes to: name and postal address from intake's person register, asked for each letter.

Intake owns the register and logs every such read with its purpose. When intake cannot answer, the letter
names the person by the pseudonymous id instead of failing the decision: the letter can be re-issued.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

import httpx

from servicekit.auth import TokenVerifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    name: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None

    @property
    def address_lines(self) -> list[str]:
        place = " ".join(p for p in (self.postcode, self.city) if p)
        return [line for line in (self.street, place) if line]


class RecipientLookup(Protocol):
    async def __call__(self, municipality: str, person_id: str) -> Recipient | None: ...


async def nobody(municipality: str, person_id: str) -> Recipient | None:
    """No person register to ask: letters name the person by id."""
    return None


class IntakeRecipients:
    """Asks intake's API as a service of the municipality (role `service`), with the purpose logged there."""

    def __init__(
        self,
        base_url: str,
        verifier: TokenVerifier,
        *,
        timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._verifier = verifier
        self._timeout_s = timeout_s
        self._transport = transport

    async def __call__(self, municipality: str, person_id: str) -> Recipient | None:
        token = self._verifier.issue(
            municipality=municipality, roles=["service"], subject="decision", ttl=timedelta(minutes=5)
        )
        try:
            async with httpx.AsyncClient(timeout=self._timeout_s, transport=self._transport) as client:
                response = await client.get(
                    f"{self._base_url}/persons/{person_id}",
                    params={"purpose": "decision letter"},
                    headers={"Authorization": f"Bearer {token}"},
                )
        except httpx.HTTPError as exc:
            log.warning("person register unavailable for a letter (%s); naming the person by id", exc)
            return None
        if response.status_code != 200:
            log.warning("person register answered %s for a letter; naming the person by id", response.status_code)
            return None
        person = response.json()
        if not person.get("name"):
            return None
        return Recipient(
            name=person["name"], street=person.get("street"), postcode=person.get("postcode"), city=person.get("city")
        )
