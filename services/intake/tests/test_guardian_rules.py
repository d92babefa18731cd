"""Who speaks for a person and who receives their letters: the guardian list's rules, its journal, and the
letter recipients on a date (the 18th birthday, 29 February births). No database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from servicekit.actor import Actor
from servicekit.errors import DomainError, Forbidden
from services.intake.domain import (
    MAX_GUARDIANS,
    Contact,
    Guardian,
    GuardianChangeKind,
    GuardianEntry,
    GuardianRelation,
    Guardianship,
    IdKind,
    Person,
    Receives,
    check_guardians,
    letter_recipients,
    letter_recipients_read_by,
)

TOLGA = "3426"
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 23)
EARLIER = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
KARI = Actor(subject="kari", municipality=TOLGA, roles=frozenset({"caseworker"}))
DECISION = Actor.service("decision", TOLGA)
PARENT, GUARDIAN = GuardianRelation.PARENT, GuardianRelation.GUARDIAN


def person(person_id: str, born: date, municipality: str = TOLGA, name: str | None = None) -> Person:
    return Person(
        person_id=person_id,
        municipality=municipality,
        national_id="00000000000",
        id_kind=IdKind.FNR,
        birth_date=born,
        created_at=EARLIER,
        created_by="kari",
        contact=Contact(name=name or person_id.title(), street=f"{person_id}vegen 1", postcode="2540", city="Tolga"),
    )


CHILD = person("child", date(2015, 4, 10))
ADULT = person("adult", date(1960, 2, 2))
MOTHER = person("mother", date(1985, 5, 1))
FATHER = person("father", date(1983, 8, 12))
VERGE = person("verge", date(1970, 3, 3))
TEEN = person("teen", date(2010, 1, 1))
REGISTER = {p.person_id: p for p in (CHILD, ADULT, MOTHER, FATHER, VERGE, TEEN)}


def entries(*pairs: tuple[Person, GuardianRelation]) -> list[GuardianEntry]:
    return [GuardianEntry(p.person_id, relation) for p, relation in pairs]


def recorded(of: Person, *pairs: tuple[Person, GuardianRelation]) -> Guardianship:
    return Guardianship(of, [Guardian(p.person_id, r, recorded_at=EARLIER, recorded_by="ola") for p, r in pairs])


def eighteenth_birthday(born: date) -> date:
    """Written out from the rule: the same day 18 years on, or 1 March for someone born 29 February."""
    try:
        return born.replace(year=born.year + 18)
    except ValueError:
        return date(born.year + 18, 3, 1)


# --- the guardian list --------------------------------------------------------------------------


def test_a_child_may_have_two_parents_and_an_appointed_guardian() -> None:
    check_guardians(CHILD, entries((MOTHER, PARENT), (FATHER, PARENT), (VERGE, GUARDIAN)), REGISTER, on=TODAY)


def test_an_adult_may_have_an_appointed_guardian_even_a_parent() -> None:
    check_guardians(ADULT, entries((VERGE, GUARDIAN)), REGISTER, on=TODAY)
    young_adult = person("young", date(2000, 1, 1))

    check_guardians(young_adult, entries((MOTHER, GUARDIAN)), REGISTER, on=TODAY)


def test_an_empty_list_is_valid() -> None:
    check_guardians(CHILD, [], REGISTER, on=TODAY)


@pytest.mark.parametrize(
    ("of", "given_entries", "field", "rule"),
    [
        (CHILD, entries((CHILD, PARENT)), "guardians.0.person_id", "cannot be their own guardian"),
        (CHILD, entries((MOTHER, PARENT), (MOTHER, GUARDIAN)), "guardians.1.person_id", "more than once"),
        (CHILD, [GuardianEntry("nobody", PARENT)], "guardians.0.person_id", "no person nobody is registered"),
        (ADULT, entries((MOTHER, PARENT)), "guardians.0.relation", "parental responsibility ends at 18"),
        (CHILD, entries((TEEN, GUARDIAN)), "guardians.0.relation", "must be 18 or older"),
        (TEEN, entries((CHILD, PARENT)), "guardians.0.relation", "a parent must be born before the child"),
        (
            CHILD,
            entries((MOTHER, PARENT), (FATHER, PARENT), (ADULT, PARENT)),
            "guardians",
            "at most 2 persons hold parental responsibility",
        ),
    ],
    ids=["self", "duplicate", "unregistered", "parent-of-adult", "minor-verge", "parent-younger", "three-parents"],
)
def test_a_guardian_list_that_breaks_a_rule_is_refused_naming_the_entry(
    of: Person, given_entries: list[GuardianEntry], field: str, rule: str
) -> None:
    with pytest.raises(DomainError, match=rule) as refused:
        check_guardians(of, given_entries, REGISTER, on=TODAY)

    assert refused.value.field == field


def test_a_guardian_of_another_municipality_is_not_a_registered_person_of_this_one() -> None:
    elsewhere = person("elsewhere", date(1980, 1, 1), municipality="5032")

    with pytest.raises(DomainError, match="no person elsewhere is registered in municipality 3426"):
        check_guardians(CHILD, entries((elsewhere, PARENT)), {**REGISTER, "elsewhere": elsewhere}, on=TODAY)


def test_the_list_is_bounded() -> None:
    many = [person(f"p{i}", date(1970, 1, 1 + i)) for i in range(MAX_GUARDIANS + 1)]

    with pytest.raises(DomainError, match=f"at most {MAX_GUARDIANS}") as refused:
        check_guardians(
            ADULT, [GuardianEntry(p.person_id, GUARDIAN) for p in many], {p.person_id: p for p in many}, on=TODAY
        )

    assert refused.value.field == "guardians"


def test_parents_are_refused_from_the_18th_birthday_on() -> None:
    born = date(2008, 11, 23)  # 18 on TODAY
    grown = person("grown", born)

    with pytest.raises(DomainError, match="the person is 18 on 2026-11-23"):
        check_guardians(grown, entries((MOTHER, PARENT)), REGISTER, on=TODAY)
    check_guardians(grown, entries((MOTHER, PARENT)), REGISTER, on=TODAY - timedelta(days=1))


# --- recording the list, and its journal --------------------------------------------------------


def test_recording_guardians_journals_each_addition_with_who_and_when() -> None:
    guardianship = Guardianship(CHILD, [])

    guardianship.record(entries((VERGE, GUARDIAN), (MOTHER, PARENT)), REGISTER, actor=KARI, now=NOW)

    assert [(g.person_id, g.relation) for g in guardianship.guardians] == [("mother", PARENT), ("verge", GUARDIAN)]
    assert all((g.recorded_at, g.recorded_by) == (NOW, "kari") for g in guardianship.guardians)
    assert [
        (c.change, c.guardian_person_id, c.relation, c.changed_at, c.changed_by) for c in guardianship.new_changes
    ] == [
        (GuardianChangeKind.ADDED, "verge", GUARDIAN, NOW, "kari"),
        (GuardianChangeKind.ADDED, "mother", PARENT, NOW, "kari"),
    ]


def test_recording_the_list_again_removes_what_was_left_out_changes_relations_and_keeps_the_rest() -> None:
    guardianship = recorded(CHILD, (MOTHER, PARENT), (FATHER, PARENT), (VERGE, GUARDIAN))

    guardianship.record(entries((MOTHER, PARENT), (FATHER, GUARDIAN)), REGISTER, actor=KARI, now=NOW)

    mother, father = guardianship.guardians
    assert (mother.person_id, mother.recorded_at, mother.recorded_by) == ("mother", EARLIER, "ola")
    assert (father.person_id, father.relation, father.recorded_at) == ("father", GUARDIAN, NOW)
    assert [(c.change, c.guardian_person_id, c.relation, c.previous_relation) for c in guardianship.new_changes] == [
        (GuardianChangeKind.REMOVED, "verge", GUARDIAN, None),
        (GuardianChangeKind.RELATION_CHANGED, "father", GUARDIAN, PARENT),
    ]


def test_recording_the_same_list_journals_nothing() -> None:
    guardianship = recorded(CHILD, (MOTHER, PARENT))

    guardianship.record(entries((MOTHER, PARENT)), REGISTER, actor=KARI, now=NOW)

    assert guardianship.new_changes == []


def test_an_empty_list_removes_every_guardian() -> None:
    guardianship = recorded(CHILD, (MOTHER, PARENT), (VERGE, GUARDIAN))

    guardianship.record([], REGISTER, actor=KARI, now=NOW)

    assert guardianship.guardians == []
    assert {(c.change, c.guardian_person_id) for c in guardianship.new_changes} == {
        (GuardianChangeKind.REMOVED, "mother"),
        (GuardianChangeKind.REMOVED, "verge"),
    }


def test_a_refused_list_changes_nothing() -> None:
    guardianship = recorded(CHILD, (MOTHER, PARENT))

    with pytest.raises(DomainError):
        guardianship.record(entries((CHILD, PARENT)), REGISTER, actor=KARI, now=NOW)

    assert [g.person_id for g in guardianship.guardians] == ["mother"]
    assert guardianship.new_changes == []


def test_the_list_is_judged_on_the_norwegian_date_of_now() -> None:
    """18 at midnight in Norway: 23:30 UTC on the eve of the birthday is already the birthday."""
    grown = person("grown", date(2008, 11, 24))
    eve_utc = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)

    with pytest.raises(DomainError, match="parental responsibility ends"):
        Guardianship(grown, []).record(entries((MOTHER, PARENT)), REGISTER, actor=KARI, now=eve_utc)


# --- letter recipients --------------------------------------------------------------------------


def test_a_childs_letters_go_to_its_parents_and_appointed_guardian_not_to_the_child() -> None:
    found = letter_recipients(recorded(CHILD, (VERGE, GUARDIAN), (MOTHER, PARENT), (FATHER, PARENT)), REGISTER, TODAY)

    assert [(r.person_id, r.receives_as) for r in found.recipients] == [
        ("father", Receives.PARENT),
        ("mother", Receives.PARENT),
        ("verge", Receives.GUARDIAN),
    ]
    assert found.recipients[1].contact == MOTHER.contact
    assert (found.person_is_child, found.no_guardian_registered) == (True, False)


def test_a_child_without_registered_guardians_gets_its_letters_itself_flagged() -> None:
    found = letter_recipients(Guardianship(CHILD, []), REGISTER, TODAY)

    assert [(r.person_id, r.receives_as, r.contact) for r in found.recipients] == [
        ("child", Receives.SELF, CHILD.contact)
    ]
    assert (found.person_is_child, found.no_guardian_registered) == (True, True)


def test_an_adults_letters_go_to_the_person_and_their_appointed_guardian() -> None:
    found = letter_recipients(recorded(ADULT, (VERGE, GUARDIAN)), REGISTER, TODAY)

    assert [(r.person_id, r.receives_as) for r in found.recipients] == [
        ("adult", Receives.SELF),
        ("verge", Receives.GUARDIAN),
    ]
    assert (found.person_is_child, found.no_guardian_registered) == (False, False)


def test_an_adult_without_a_guardian_gets_the_letters_alone_and_unflagged() -> None:
    found = letter_recipients(Guardianship(ADULT, []), REGISTER, TODAY)

    assert [r.person_id for r in found.recipients] == ["adult"]
    assert found.no_guardian_registered is False


@given(
    born=st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)),
    days_off=st.integers(min_value=1, max_value=400),
)
@example(born=date(2008, 2, 29), days_off=1)
@example(born=date(2004, 2, 29), days_off=1)
def test_parents_receive_a_childs_letters_until_the_18th_birthday_and_not_from_it(born: date, days_off: int) -> None:
    """From the 18th birthday (1 March for someone born 29 February) the person gets the letters, with the
    appointed guardian; the parents recorded while the person was a child no longer do."""
    grown_up = person("child", born)
    guardianship = recorded(grown_up, (MOTHER, PARENT), (VERGE, GUARDIAN))
    birthday = eighteenth_birthday(born)

    eve = letter_recipients(guardianship, REGISTER, birthday - timedelta(days=1))
    on_the_day = letter_recipients(guardianship, REGISTER, birthday)
    before = letter_recipients(guardianship, REGISTER, birthday - timedelta(days=days_off))
    after = letter_recipients(guardianship, REGISTER, birthday + timedelta(days=days_off))

    for child in (eve, before):
        assert child.person_is_child
        assert [r.person_id for r in child.recipients] == ["mother", "verge"]
    for adult in (on_the_day, after):
        assert not adult.person_is_child
        assert [(r.person_id, r.receives_as) for r in adult.recipients] == [
            ("child", Receives.SELF),
            ("verge", Receives.GUARDIAN),
        ]


def test_someone_born_29_february_is_a_child_on_28_february_and_of_age_on_1_march() -> None:
    leapling = person("leapling", date(2008, 2, 29))
    guardianship = recorded(leapling, (MOTHER, PARENT))

    assert [r.person_id for r in letter_recipients(guardianship, REGISTER, date(2026, 2, 28)).recipients] == ["mother"]
    assert [r.person_id for r in letter_recipients(guardianship, REGISTER, date(2026, 3, 1)).recipients] == ["leapling"]


# --- the read leaves access records -------------------------------------------------------------


def test_reading_the_recipients_logs_the_person_and_every_recipient_with_the_purpose() -> None:
    found = letter_recipients(recorded(CHILD, (MOTHER, PARENT), (FATHER, PARENT)), REGISTER, TODAY)

    accesses = letter_recipients_read_by(found, DECISION, "decision letter", now=NOW)

    assert [a.person_id for a in accesses] == ["child", "father", "mother"]
    assert all(
        (a.accessed_by, a.purpose, a.national_id_disclosed, a.accessed_at)
        == ("decision", "decision letter", False, NOW)
        for a in accesses
    )
    assert accesses[0].roles == ("service",)


def test_a_person_who_gets_their_own_letters_is_logged_once() -> None:
    found = letter_recipients(Guardianship(ADULT, []), REGISTER, TODAY)

    assert [a.person_id for a in letter_recipients_read_by(found, KARI, "decision letter", now=NOW)] == ["adult"]


@pytest.mark.parametrize("roles", [{"leader"}, {"unit"}, {"coordinator"}])
def test_only_caseworkers_and_services_may_read_names_and_addresses_for_letters(roles: set[str]) -> None:
    found = letter_recipients(Guardianship(ADULT, []), REGISTER, TODAY)
    actor = Actor(subject="lise", municipality=TOLGA, roles=frozenset(roles))

    with pytest.raises(Forbidden):
        letter_recipients_read_by(found, actor, "curious", now=NOW)
