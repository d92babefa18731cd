"""The durable timer: reminds before a deadline, alerts when it runs out, and escalates an overdue one.

The deadline table is the timer store; any replica may sweep. The sweep finds the candidates of every
municipality (the one read not bound to a municipality): only clocks that need work today, by the reminder and
escalation days stored on each row, so a batch is never spent on clocks that need nothing. It then sweeps each
deadline in a unit of work of its own municipality (whose configuration sets the kind's recipients and
escalation rhythm), where a row changes state only once (a conditional update), so a reminder, an alert or an
escalation step is never sent twice.
"""

from __future__ import annotations

from opentelemetry.trace import Tracer

from servicekit.actor import Actor
from servicekit.bus import Bus
from servicekit.context import bind
from servicekit.db import Database
from services.notification import commands
from services.notification.domain import Sweep

SERVICE = "notification"


async def sweep(database: Database, bus: Bus, tracer: Tracer, *, batch: int = 500) -> int:
    """Send what is owed today by the service's clock; returns how many deadlines were reminded, alerted or
    escalated."""
    async with database.unit_of_work() as uow:  # the one read across municipalities: no actor
        candidates = await commands.sweep_candidates_of_every_municipality(uow, limit=batch)
    sent = 0
    for candidate in candidates:
        with tracer.start_as_current_span("deadline sweep") as span:
            bind(municipality=candidate.municipality)
            done = await bus.acting_as(Actor.service(SERVICE, candidate.municipality)).run(
                commands.sweep_deadline, commands.SweepDeadline(candidate.deadline_id)
            )
            span.set_attribute("forvalt.sweep", done.value)
            if done is not Sweep.NOTHING:
                span.update_name(f"deadline {done.value}")
                sent += 1
    return sent
