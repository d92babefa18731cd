"""The delivery of staff notifications by e-mail: claim each due delivery, send it, record how it went.

Any replica may deliver. Each delivery is claimed in a unit of work of its own municipality by a conditional
update (one attempt more, leased for a while), committed, then sent outside any transaction, and its result is
recorded in a new one: a failure is tried again after a growing pause, and after the last attempt the delivery
fails and the recipient's leader is alerted. A replica that dies while sending leaves the claim to run out, so the
delivery is tried again (its attempt counted). With no SMTP server configured, due deliveries are recorded as off.
"""

from __future__ import annotations

from opentelemetry.trace import Tracer

from servicekit.actor import Actor
from servicekit.bus import Bus
from servicekit.context import bind
from servicekit.db import Database
from services.notification import commands
from services.notification.domain import MAX_DELIVERY_ATTEMPTS, DeliveryStatus
from services.notification.mailer import DeliveryError, Mail, Mailer

SERVICE = "notification"


async def deliver(
    database: Database,
    bus: Bus,
    tracer: Tracer,
    mailer: Mailer | None,
    *,
    batch: int = 100,
    max_attempts: int = MAX_DELIVERY_ATTEMPTS,
) -> int:
    """Try every delivery that is due by the service's clock; returns how many were sent."""
    async with database.unit_of_work() as uow:  # the one read across municipalities: no actor
        candidates = await commands.deliveries_due_in_every_municipality(uow, limit=batch)
    sent = 0
    for candidate in candidates:
        with tracer.start_as_current_span("notification delivery") as span:
            bind(municipality=candidate.municipality)
            acting = bus.acting_as(Actor.service(SERVICE, candidate.municipality))
            claim = commands.ClaimDelivery(candidate.delivery_id, email_on=mailer is not None)
            outgoing = await acting.run(commands.claim_delivery, claim)
            if outgoing is None or mailer is None:
                span.set_attribute("forvalt.delivery", "skipped")
                continue
            error: str | None = None
            try:
                o = outgoing
                await mailer.send(Mail(o.delivery_id, o.attempt, o.to, o.subject, o.body, o.at))
            except DeliveryError as exc:
                error = str(exc)
            result = commands.RecordAttempt(outgoing.delivery_id, outgoing.attempt, error, max_attempts)
            status = await acting.run(commands.record_attempt, result)
            span.set_attribute("forvalt.delivery", "lost" if status is None else status.value)
            span.set_attribute("forvalt.delivery.attempt", outgoing.attempt)
            if status is DeliveryStatus.SENT:
                sent += 1
    return sent
