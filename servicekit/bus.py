"""The one bus: runs a use case in a unit of work for the acting municipality, and commits it.

Routes and consumed events go through it alike, so no use case commits, and no use case can act for another
municipality than the one its unit of work was opened for. Domain errors are mapped once, by the edges: to a
problem response (`servicekit.http`) and to a dead letter (`servicekit.consumer`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from contracts.envelope import CloudEvent
from servicekit.actor import Actor
from servicekit.db import Database, UnitOfWork
from servicekit.idempotency import Claim

C = TypeVar("C")
R = TypeVar("R")

UseCase = Callable[[C, UnitOfWork], Awaitable[R]]
EventUseCase = Callable[[CloudEvent[Any], UnitOfWork], Awaitable[None]]


class Bus:
    """Runs use cases of one service, each in its own unit of work."""

    def __init__(self, db: Database, *, service: str, actor: Actor | None = None, claim: Claim | None = None) -> None:
        self._db = db
        self._service = service
        self._actor = actor
        self._claim = claim

    def acting_as(self, actor: Actor, *, claim: Claim | None = None) -> Bus:
        """The bus for one caller: every use case it runs acts for `actor` and its municipality. With the `claim` of
        a request's `Idempotency-Key`, the key is recorded in the transaction of the first use case it runs."""
        return Bus(self._db, service=self._service, actor=actor, claim=claim)

    async def run(self, use_case: UseCase[C, R], cmd: C) -> R:
        """Open a unit of work for the caller, run `use_case(cmd, uow)` in it, commit, return its result."""
        if self._actor is None:
            raise RuntimeError("bus.run needs an actor: take the bus of the request (BusDep) or call acting_as")
        async with self._db.unit_of_work(self._actor) as uow:
            result = await use_case(cmd, uow)
            if self._claim is not None:
                await self._claim.commit_with(uow)
            else:
                await uow.commit()
        return result

    async def handle(self, consumer: str, event: CloudEvent[Any], use_case: EventUseCase) -> bool:
        """Run `use_case` on a consumed event, for the event's municipality, with its inbox record in the same
        transaction. False when `consumer` had processed this event before: then nothing is done."""
        async with self._db.unit_of_work(Actor.service(self._service, event.municipality)) as uow:
            if not await uow.first_time(consumer, event.id, event.type):
                return False
            await use_case(event, uow)
            await uow.commit()
        return True
