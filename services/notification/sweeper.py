"""The durable timer: reminds the responsible party before a deadline and alerts them when it runs out.

The deadline table is the timer store; any replica may sweep, and a row changes state only once, so a
reminder or an alert is never sent twice.
"""

from __future__ import annotations

from datetime import timedelta

from contracts.deadlines import DeadlineDue
from servicekit.actor import Actor
from servicekit.context import bind
from servicekit.runtime import Runtime
from services.notification import db
from services.notification.domain import REMINDER_DAYS_BEFORE, Sweep, alert, reminder, sweep_action


async def sweep(runtime: Runtime, *, batch: int = 500) -> int:
    """Send what is owed today by the service's clock; returns how many reminders and alerts went out."""
    now = runtime.clock.now()
    today = runtime.clock.today()
    async with runtime.db.unit_of_work() as uow:
        candidates = await db.deadlines_to_sweep(uow.session, today + timedelta(days=REMINDER_DAYS_BEFORE), limit=batch)
    sent = 0
    for row in candidates:
        action = sweep_action(row["due_on"], today, reminded=row["reminded_at"] is not None)
        if action is Sweep.NOTHING:
            continue
        with runtime.telemetry.tracer.start_as_current_span(f"deadline {action.value}"):
            bind(municipality=row["municipality"], case_id=row["case_id"])
            async with runtime.db.unit_of_work(Actor.service(runtime.spec.name, row["municipality"])) as uow:
                if action is Sweep.DUE:
                    if not await db.mark_due(uow.session, row["id"], now):
                        continue  # another replica got there first
                    note = alert(row["kind"], row["due_on"], row["responsible"])
                    await uow.emit(
                        DeadlineDue(
                            deadline_id=row["id"],
                            case_id=row["case_id"],
                            kind=row["kind"],
                            due_on=row["due_on"],
                            responsible=row["responsible"],
                        ),
                    )
                else:
                    if not await db.mark_reminded(uow.session, row["id"], now):
                        continue
                    note = reminder(row["kind"], row["due_on"], row["responsible"])
                await db.add_notification(
                    uow.session,
                    municipality=row["municipality"],
                    case_id=row["case_id"],
                    note=note,
                    source_event_id=f"deadline:{row['id']}",
                    at=now,
                )
                await uow.commit()
        sent += 1
    return sent
