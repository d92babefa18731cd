"""Use cases without HTTP: each runs in a unit of work opened for one actor on a SQLite database, loads the
assessment through the repository, saves it and emits its events; only the caller (the bus) commits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from contracts.assessment import AssessmentClosed, AssigneeKind, FunctionalScoresRecorded, InformationSource, VisitKind
from contracts.deadlines import DeadlineCancelled
from contracts.envelope import parse_event
from contracts.intake import ApplicationWithdrawn
from servicekit.actor import Actor
from servicekit.clock import FixedClock
from servicekit.db import OUTBOX, Database
from servicekit.errors import Forbidden, NotFound
from servicekit.migrate import upgrade
from servicekit.settings import REPO_ROOT
from servicekit.tenants import Tenants
from services.assessment import commands
from services.assessment.db import Assessments
from services.assessment.domain import Status
from services.assessment.iplos import load_variables
from services.assessment.main import spec
from services.assessment.tests.support import HOLTALEN, PARTNER, TODAY, TOLGA, WITHDRAWN_AT, application_event, wrap

HOME = Actor(subject="kari", municipality=HOLTALEN, roles=frozenset({"caseworker"}))
PARTNER_OFFICE = Actor(subject="per", municipality=PARTNER, roles=frozenset({"caseworker"}))
TOLGA_OFFICE = Actor(subject="tove", municipality=TOLGA, roles=frozenset({"caseworker"}))


@pytest.fixture
async def db(tmp_path: Path, clock: FixedClock) -> AsyncIterator[Database]:
    database = Database(
        f"sqlite+aiosqlite:///{tmp_path}/assessment.db",
        clock=clock,
        source="/forvalt/assessment",
        tenants=Tenants.load(REPO_ROOT / "deploy" / "tenants"),
    )
    await upgrade(database, spec().migrations_dir)
    yield database
    await database.dispose()


async def open_case(db: Database, municipality: str = HOLTALEN, **overrides: object) -> str:
    """The id of the assessment an application of `municipality` opened."""
    event = application_event(municipality, **overrides)
    async with db.unit_of_work(Actor.service("assessment", municipality)) as uow:
        await commands.open_assessment(event, uow)
        found = await Assessments(uow).by_case(event.subject)
        await uow.commit()
    assert found is not None
    return found.id


async def outbox(db: Database) -> list[tuple[str, str, str]]:
    """(event type, municipality, source) of every outbox row, oldest first."""
    async with db.engine.connect() as conn:
        payloads = (await conn.execute(select(OUTBOX.c.payload).order_by(OUTBOX.c.id))).scalars().all()
    events = [parse_event(p) for p in payloads]
    return [(e.type, e.municipality, e.source) for e in events if e is not None]


async def test_a_use_case_leaves_the_commit_to_its_caller(db: Database) -> None:
    assessment_id = await open_case(db)
    before = await outbox(db)

    async with db.unit_of_work(HOME) as uow:
        await commands.assign(commands.Assign(assessment_id, AssigneeKind.PROFESSION, "nurse"), uow)
        # no commit: the unit of work rolls back

    async with db.unit_of_work(HOME) as uow:
        view = await commands.get_assessment(commands.GetAssessment(assessment_id), uow)
    assert (view.assessment.status, view.assessment.assignment.assignee) == (Status.OPEN, None)
    assert await outbox(db) == before


async def test_the_repository_saves_and_loads_the_whole_aggregate(db: Database) -> None:
    assessment_id = await open_case(db, TOLGA)

    async with db.unit_of_work(TOLGA_OFFICE) as uow:
        await commands.assign(commands.Assign(assessment_id, AssigneeKind.UNIT, "mental_health_substance_abuse"), uow)
        visit = await commands.schedule_visit(
            commands.ScheduleVisit(assessment_id, VisitKind.INTERVIEW, uow.clock.now() - timedelta(hours=2)), uow
        )
        await commands.record_visit(
            commands.RecordVisit(assessment_id, visit.id, uow.clock.now() - timedelta(hours=1), "Notat"), uow
        )
        request = await commands.request_information(
            commands.RequestInformation(assessment_id, InformationSource.GP, TODAY + timedelta(days=10)), uow
        )
        await commands.assess_child_best_interests(commands.AssessChildBestInterests(assessment_id, 2, "Vurdert"), uow)
        saved = (await commands.get_assessment(commands.GetAssessment(assessment_id), uow)).assessment
        await uow.commit()

    async with db.unit_of_work(TOLGA_OFFICE) as uow:
        loaded = (await commands.get_assessment(commands.GetAssessment(assessment_id), uow)).assessment

    assert loaded == saved
    assert [v.notes for v in loaded.visits] == ["Notat"]
    assert [r.id for r in loaded.information_requests] == [request.request.id]
    assert [b.text for b in loaded.best_interests] == ["Vurdert"]
    assert loaded.assignment.writes_own_assessment is True


async def test_a_partner_office_sees_a_case_only_through_a_recorded_hand_over(db: Database) -> None:
    assessment_id = await open_case(db, service_code="private_respite")
    other_id = await open_case(db, service_code="private_respite")

    async with db.unit_of_work(PARTNER_OFFICE) as uow:
        with pytest.raises(NotFound):
            await commands.get_assessment(commands.GetAssessment(assessment_id), uow)

    async with db.unit_of_work(HOME) as uow:
        await commands.hand_over(commands.HandOver(assessment_id), uow)
        await uow.commit()

    async with db.unit_of_work(PARTNER_OFFICE) as uow:
        view = await commands.get_assessment(commands.GetAssessment(assessment_id), uow)
        page = await commands.list_assessments(commands.ListAssessments(), uow)
        with pytest.raises(NotFound):
            await commands.get_assessment(commands.GetAssessment(other_id), uow)
    assert (view.assessment.municipality, view.assessment.partners) == (HOLTALEN, [PARTNER])
    assert [s.id for s in page.items] == [assessment_id]


async def test_the_partners_work_is_emitted_for_the_home_municipality(db: Database) -> None:
    assessment_id = await open_case(db, service_code="private_respite")
    async with db.unit_of_work(HOME) as uow:
        await commands.hand_over(commands.HandOver(assessment_id), uow)
        await uow.commit()

    async with db.unit_of_work(PARTNER_OFFICE) as uow:
        view = await commands.record_scores(commands.RecordScores(assessment_id, {"eating": 2}, TODAY), uow)
        await uow.commit()

    assert view.assessment.scores is not None
    assert view.assessment.scores.recorded_by == f"partner_office:{PARTNER}"
    assert (await outbox(db))[-1] == (FunctionalScoresRecorded.event_type, HOLTALEN, "/forvalt/assessment")
    assert {municipality for _, municipality, _ in await outbox(db)} == {HOLTALEN}


async def test_emitting_for_the_home_municipality_needs_a_grant(db: Database) -> None:
    assessment_id = await open_case(db, service_code="private_respite")
    async with db.unit_of_work(HOME) as uow:
        assessment = await Assessments(uow).get(assessment_id)
        events = assessment.record_scores(HOME, {"eating": 2}, TODAY, load_variables(), uow.clock.now())

    async with db.unit_of_work(PARTNER_OFFICE) as uow:
        with pytest.raises(Forbidden, match="no access"):
            await commands.emit_for_home(uow, assessment, events)
        with pytest.raises(Forbidden, match="no access"):
            commands.home_tenant(uow, assessment)


async def test_a_partner_office_works_by_the_home_municipalitys_catalogue(db: Database) -> None:
    assessment_id = await open_case(db, service_code="private_respite")
    async with db.unit_of_work(HOME) as uow:
        await commands.hand_over(commands.HandOver(assessment_id), uow)
        await uow.commit()

    async with db.unit_of_work(PARTNER_OFFICE) as uow:
        assessment = await Assessments(uow).get(assessment_id)
        assert commands.home_tenant(uow, assessment).municipality == HOLTALEN


async def test_a_consumed_withdrawal_closes_the_assessment_and_a_repeat_changes_nothing(db: Database) -> None:
    assessment_id = await open_case(db, TOLGA)
    async with db.unit_of_work(TOLGA_OFFICE) as uow:
        await commands.request_information(
            commands.RequestInformation(assessment_id, InformationSource.GP, date(2026, 12, 10)), uow
        )
        await uow.commit()
    async with db.unit_of_work(TOLGA_OFFICE) as uow:
        case_id = (await commands.get_assessment(commands.GetAssessment(assessment_id), uow)).assessment.case_id
    event = wrap(ApplicationWithdrawn(case_id=case_id, withdrawn_on=date(2026, 11, 20)), case_id, sent_at=WITHDRAWN_AT)

    for _ in range(2):
        async with db.unit_of_work(Actor.service("assessment", TOLGA)) as uow:
            await commands.close_withdrawn(event, uow)
            await uow.commit()

    async with db.unit_of_work(TOLGA_OFFICE) as uow:
        view = await commands.get_assessment(commands.GetAssessment(assessment_id), uow)
    assert view.assessment.status is Status.WITHDRAWN
    types = [t for t, _, _ in await outbox(db)]
    assert types.count(AssessmentClosed.event_type) == 1
    assert types.count(DeadlineCancelled.event_type) == 1
