"""Who a letter goes to and whom it concerns, from intake's person register, asked for each letter.

A child's letters go to its guardians (parents, or the guardian the register names); an adult's to the adult, and
also to an appointed guardian. Intake owns the register, decides who receives, and logs every such read with its
purpose. When intake cannot answer, the letter names the person by the pseudonymous id instead of failing the
decision: the letter can be re-issued.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Literal, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicekit.auth import TokenVerifier

log = logging.getLogger(__name__)

PURPOSE = "decision letter"

M = TypeVar("M", bound=BaseModel)

# Why a recipient gets the letter, as intake's register says: the person it concerns, a parent with parental
# responsibility for the child, or an appointed guardian (verge).
Receives = Literal["self", "parent", "guardian"]


@dataclass(frozen=True)
class Recipient:
    name: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    receives_as: Receives = field(default="self", kw_only=True)

    @property
    def address_lines(self) -> list[str]:
        place = " ".join(p for p in (self.postcode, self.city) if p)
        return [line for line in (self.street, place) if line]

    @property
    def postal_address(self) -> tuple[str, ...]:
        """The address as compared: case, and runs of spaces, do not make two addresses different."""
        return tuple(" ".join(line.split()).casefold() for line in self.address_lines)


@dataclass(frozen=True)
class LetterRecipients:
    """Whom the letter concerns (`concerning`: their name, for "Gjelder"; None when the register gave none) and
    to whom it is addressed (`addressees`, in the register's order: never empty)."""

    concerning: str | None
    addressees: tuple[Recipient, ...]


def to_expecting_parents(answers: Sequence[LetterRecipients | None], concerning: str) -> LetterRecipients:
    """The letters about a child not yet born: to each expecting parent the register answered for (as a parent,
    about the child; anyone who receives a parent's letters beside them, too), concerning the expected child.
    Without any answer the letter is addressed to no one by name, as for any person the register cannot name."""
    addressees: list[Recipient] = []
    for found in answers:
        for addressee in found.addressees if found is not None else ():
            addressees.append(
                replace(addressee, receives_as="parent") if addressee.receives_as == "self" else addressee
            )
    return LetterRecipients(concerning=concerning, addressees=tuple(addressees))


class RecipientLookup(Protocol):
    async def __call__(self, municipality: str, person_id: str) -> LetterRecipients | None: ...


async def nobody(municipality: str, person_id: str) -> LetterRecipients | None:
    """No person register to ask: letters name the person by id."""
    return None


class _Addressee(BaseModel):
    model_config = ConfigDict(extra="ignore")

    person_id: str
    receives_as: Receives
    name: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None


class _LetterRecipientsRead(BaseModel):
    model_config = ConfigDict(extra="ignore")

    person_id: str
    person_is_child: bool
    no_guardian_registered: bool = False
    recipients: list[_Addressee] = Field(min_length=1)


class _PersonRead(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = None


class IntakeRecipients:
    """Asks intake's API as a service of the municipality (role `service`), with the purpose logged there: the
    letter's recipients, and, for a child whose guardians receive, the child's own name."""

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

    async def __call__(self, municipality: str, person_id: str) -> LetterRecipients | None:
        token = self._verifier.issue(
            municipality=municipality, roles=["service"], subject="decision", ttl=timedelta(minutes=5)
        )
        async with httpx.AsyncClient(
            base_url=self._base_url,
            timeout=self._timeout_s,
            transport=self._transport,
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            read = await _get(client, f"/persons/{person_id}/letter-recipients", _LetterRecipientsRead)
            if read is None:
                return None
            addressees = tuple(
                Recipient(name=r.name, street=r.street, postcode=r.postcode, city=r.city, receives_as=r.receives_as)
                for r in read.recipients
                if r.name and r.name.strip()
            )
            if not addressees:
                log.warning("the person register names no recipient of a letter; naming the person by id")
                return None
            concerning = next((r.name for r in read.recipients if r.receives_as == "self" and r.name), None)
            if concerning is None:
                # A child with guardians: the recipients are the guardians, the child's name is read on its own.
                person = await _get(client, f"/persons/{person_id}", _PersonRead)
                concerning = person.name if person is not None and person.name else None
            return LetterRecipients(concerning=concerning, addressees=addressees)


async def _get(client: httpx.AsyncClient, path: str, model: type[M]) -> M | None:
    try:
        response = await client.get(path, params={"purpose": PURPOSE})
    except httpx.HTTPError as exc:
        log.warning("person register unavailable for a letter (%s); naming the person by id", exc)
        return None
    if response.status_code != 200:
        log.warning("person register answered %s for a letter; naming the person by id", response.status_code)
        return None
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        log.warning("person register's answer for a letter is not understood (%s); naming the person by id", exc)
        return None
