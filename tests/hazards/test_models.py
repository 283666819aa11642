"""Hazard-side models: database constraints, the append-only audit trail, scope and checklist."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from accidents.models import Accident
from accounts.roles import Role
from enforcement.models import EnforcementAction
from hazards.models import AppendOnlyError, Hazard, HazardEvent, LedgerSequence, RectificationNotice
from inspections.models import ChecklistItem, Inspection
from tests.factories import (
    AccidentFactory,
    BusinessTypeFactory,
    ChecklistItemFactory,
    DepartmentFactory,
    EnforcementActionFactory,
    GridFactory,
    HazardEventFactory,
    HazardFactory,
    InspectionFactory,
    PremisesFactory,
    RectificationNoticeFactory,
    TagFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


def violates(constraint: str):
    """Expect the database itself to refuse the write, naming the constraint."""
    return pytest.raises(IntegrityError, match=constraint)


# --- Constraints ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("constraint", "changes"),
    [
        ("hazards_hazard_status_valid", {"status": "lost"}),
        ("hazards_hazard_severity_valid", {"severity": "minor"}),
        ("hazards_hazard_closed_has_closed_at", {"status": "closed"}),
        ("hazards_hazard_dismissed_has_dismissed_at", {"status": "dismissed"}),
        ("hazards_hazard_submitted_has_submitted_at", {"status": "submitted"}),
        ("hazards_hazard_only_general_fixed_on_spot", {"severity": "major", "fixed_on_spot": True}),
        (
            "hazards_hazard_major_has_interim_measures",
            {"severity": "major", "status": "rectifying"},
        ),
        (
            "hazards_hazard_major_has_interim_measures",
            {"severity": "major", "status": "submitted", "submitted_at": timezone.now()},
        ),
    ],
)
def test_database_refuses_hazard_breaking_a_check_constraint(constraint, changes):
    hazard = HazardFactory()

    with violates(constraint), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(**changes)


@pytest.mark.parametrize(
    "traits",
    [
        {"closed": True},
        {"dismissed": True},
        {"submitted": True},
        {"major": True},  # reported, not yet verified: no interim measures needed yet
        {"major_rectifying": True},
        {"fixed_on_spot": True, "closed": True},
    ],
)
def test_hazards_in_every_consistent_state_are_accepted(traits):
    assert HazardFactory(**traits).pk


def test_database_refuses_a_duplicate_ledger_number():
    HazardFactory(ledger_number="YH-2026-000001")

    with (
        violates(r"hazards_hazard\.ledger_number|hazards_hazard_ledger_number"),
        transaction.atomic(),
    ):
        HazardFactory(ledger_number="YH-2026-000001")


@pytest.mark.parametrize(
    ("constraint", "changes"),
    [
        ("hazards_checklistitem_conditional_states_condition", {"severity": "conditional"}),
        ("hazards_checklistitem_default_days_within_a_year", {"default_days": 366}),
    ],
)
def test_database_refuses_checklist_item_breaking_a_constraint(constraint, changes):
    item = ChecklistItemFactory()

    with violates(constraint), transaction.atomic():
        ChecklistItem.objects.filter(pk=item.pk).update(**changes)


def test_conditional_item_stating_its_condition_is_accepted():
    item = ChecklistItemFactory(
        severity="conditional", major_when_zh="超过判定标准", default_days=365
    )

    assert item.pk


@pytest.mark.parametrize(
    ("constraint", "changes"),
    [
        ("hazards_inspection_latitude_range", {"latitude": 91}),
        ("hazards_inspection_latitude_range", {"latitude": -91}),
        ("hazards_inspection_longitude_range", {"longitude": 181}),
        ("hazards_inspection_longitude_range", {"longitude": -181}),
    ],
)
def test_database_refuses_inspection_outside_the_globe(constraint, changes):
    inspection = InspectionFactory()

    with violates(constraint), transaction.atomic():
        Inspection.objects.filter(pk=inspection.pk).update(**changes)


def test_database_refuses_a_second_inspection_with_the_same_idempotency_key():
    inspection = InspectionFactory()

    with (
        violates(r"hazards_inspection\.idempotency_key|hazards_inspection_idempotency_key"),
        transaction.atomic(),
    ):
        InspectionFactory(idempotency_key=inspection.idempotency_key)


def test_database_refuses_a_notice_due_before_it_was_issued():
    notice = RectificationNoticeFactory()

    with violates("hazards_notice_deadline_after_issue"), transaction.atomic():
        RectificationNotice.objects.filter(pk=notice.pk).update(
            deadline=notice.issued_on - timedelta(days=1)
        )


@pytest.mark.parametrize(
    ("constraint", "changes"),
    [
        ("hazards_enforcement_lifted_after_decided", {"lifted_on_days": -1}),
        ("hazards_enforcement_fine_positive", {"fine_amount": 0}),
        ("hazards_enforcement_fine_positive", {"fine_amount": -100}),
    ],
)
def test_database_refuses_enforcement_action_breaking_a_constraint(constraint, changes):
    action = EnforcementActionFactory()
    if "lifted_on_days" in changes:
        changes = {"lifted_on": action.decided_on + timedelta(days=changes["lifted_on_days"])}

    with violates(constraint), transaction.atomic():
        EnforcementAction.objects.filter(pk=action.pk).update(**changes)


def test_enforcement_action_lifted_the_day_it_was_decided_is_accepted():
    action = EnforcementActionFactory(fine_amount=500)
    action.lifted_on = action.decided_on
    action.save()

    assert EnforcementAction.objects.get(pk=action.pk).lifted_on == action.decided_on


def test_database_refuses_an_accident_with_a_negative_loss():
    accident = AccidentFactory()

    with violates("hazards_accident_loss_not_negative"), transaction.atomic():
        Accident.objects.filter(pk=accident.pk).update(direct_loss=-1)


def test_database_refuses_a_second_counter_for_the_same_series_and_year():
    LedgerSequence.objects.create(prefix="YH", year=2026)

    with (
        violates(
            r"hazards_sequence_unique|hazards_ledgersequence\.prefix, hazards_ledgersequence\.year"
        ),
        transaction.atomic(),
    ):
        LedgerSequence.objects.create(prefix="YH", year=2026)


# --- Audit trail ---------------------------------------------------------------------------


def test_hazard_event_cannot_be_changed():
    event = HazardEventFactory(note="first")
    event.note = "rewritten"

    with pytest.raises(AppendOnlyError):
        event.save()
    assert HazardEvent.objects.get(pk=event.pk).note == "first"


def test_hazard_event_cannot_be_deleted():
    event = HazardEventFactory()

    with pytest.raises(AppendOnlyError):
        event.delete()
    assert HazardEvent.objects.filter(pk=event.pk).exists()


def test_hazard_events_can_be_appended():
    hazard = HazardFactory()
    HazardEventFactory(hazard=hazard)
    HazardEventFactory(
        hazard=hazard, action="verify", from_status="reported", to_status="rectifying"
    )

    assert list(hazard.events.values_list("action", flat=True)) == ["report", "verify"]


# --- Queries -------------------------------------------------------------------------------


def test_open_overdue_and_major_hazards():
    today = timezone.localdate()
    late = HazardFactory(rectify_by=today - timedelta(days=1))
    due_today = HazardFactory(rectify_by=today)
    closed_late = HazardFactory(closed=True, rectify_by=today - timedelta(days=1))
    major = HazardFactory(major_rectifying=True)

    assert set(Hazard.objects.open()) == {late, due_today, major}
    assert set(Hazard.objects.overdue(today)) == {late}
    assert set(Hazard.objects.major()) == {major}
    assert late.is_overdue(today)
    assert not due_today.is_overdue(today)
    assert not closed_late.is_overdue(today)


@pytest.fixture
def town():
    """Village 1 has grids A and B; village 2 has grid C. The department supervises hotels.

    Hazard d (on B's shop) was handed to the department.
    """
    department = DepartmentFactory()
    hotel = BusinessTypeFactory(department=department)
    shop = BusinessTypeFactory(department=DepartmentFactory())
    village_1 = VillageFactory()
    grid_a, grid_b = GridFactory(village=village_1), GridFactory(village=village_1)
    grid_c = GridFactory()
    premises_b = PremisesFactory(grid=grid_b, business_type=shop)
    return {
        "department": department,
        "village_1": village_1,
        "grid_a": grid_a,
        "grid_b": grid_b,
        "a": HazardFactory(premises=PremisesFactory(grid=grid_a, business_type=shop)),
        "b": HazardFactory(premises=premises_b),
        "c": HazardFactory(premises=PremisesFactory(grid=grid_c, business_type=hotel)),
        "d": HazardFactory(premises=premises_b, department=department),
    }


def visible(user, town) -> set[str]:
    keys = {town[key].pk: key for key in "abcd"}
    return {keys[pk] for pk in Hazard.objects.visible_to(user).values_list("pk", flat=True)}


def test_officer_sees_hazards_of_own_grid_only(town):
    officer = UserFactory(role=Role.GRID_OFFICER)
    town["grid_a"].officers.add(officer)

    assert visible(officer, town) == {"a"}


def test_officer_cannot_see_other_grids_hazards(town):
    officer = UserFactory(role=Role.GRID_OFFICER)
    town["grid_b"].officers.add(officer)

    assert "a" not in visible(officer, town)  # same village
    assert "c" not in visible(officer, town)  # other village


def test_village_leader_sees_hazards_of_whole_village_but_not_another(town):
    leader = UserFactory(role=Role.VILLAGE_LEADER)
    town["village_1"].leaders.add(leader)

    assert visible(leader, town) == {"a", "b", "d"}


def test_department_officer_sees_hazards_handed_over_or_in_its_sector(town):
    officer = UserFactory(role=Role.DEPARTMENT_OFFICER)
    town["department"].members.add(officer)

    assert visible(officer, town) == {"c", "d"}


def test_department_officer_of_another_department_sees_neither(town):
    officer = UserFactory(role=Role.DEPARTMENT_OFFICER)
    DepartmentFactory(members=[officer])

    assert visible(officer, town) == set()


@pytest.mark.parametrize("role", [Role.SAFETY_OFFICE, Role.REGISTRY_ADMIN])
def test_town_wide_roles_see_every_hazard(town, role):
    assert visible(UserFactory(role=role), town) == {"a", "b", "c", "d"}


def test_inactive_user_sees_no_hazards(town):
    officer = UserFactory(role=Role.GRID_OFFICER, is_active=False)
    town["grid_a"].officers.add(officer)

    assert visible(officer, town) == set()


@pytest.mark.parametrize("role", [Role.GRID_OFFICER, Role.VILLAGE_LEADER, Role.DEPARTMENT_OFFICER])
def test_user_without_membership_sees_no_hazards(town, role):
    assert visible(UserFactory(role=role), town) == set()


def test_anonymous_user_sees_no_hazards(town):
    assert not Hazard.objects.visible_to(AnonymousUser()).exists()


def test_user_matching_a_hazard_several_ways_gets_it_once(town):
    user = UserFactory(role=[Role.GRID_OFFICER, Role.VILLAGE_LEADER, Role.DEPARTMENT_OFFICER])
    town["grid_a"].officers.add(user)
    town["grid_b"].officers.add(user)
    town["village_1"].leaders.add(user)
    town["department"].members.add(user)  # d: by grid, village and hand-over

    hazards = Hazard.objects.visible_to(user)

    assert hazards.count() == hazards.distinct().count() == 4


# --- Checklist -----------------------------------------------------------------------------


@pytest.fixture
def hotel_with_tag():
    hotel, tag = BusinessTypeFactory(), TagFactory()
    return PremisesFactory(business_type=hotel, tags=[tag])


def applicable_codes(premises) -> list[str]:
    return list(ChecklistItem.objects.applicable_to(premises).values_list("code", flat=True))


def test_item_for_all_premises_applies(hotel_with_tag):
    ChecklistItemFactory(code="ALL-1", applies_to_all=True)

    assert applicable_codes(hotel_with_tag) == ["ALL-1"]


def test_item_for_a_business_type_applies_only_to_that_type(hotel_with_tag):
    ChecklistItemFactory(code="TYPE-1", business_types=[hotel_with_tag.business_type])
    ChecklistItemFactory(code="TYPE-2", business_types=[BusinessTypeFactory()])

    assert applicable_codes(hotel_with_tag) == ["TYPE-1"]


def test_item_for_a_tag_applies_only_when_the_premises_has_it(hotel_with_tag):
    ChecklistItemFactory(code="TAG-1", tags=[hotel_with_tag.tags.get()])
    ChecklistItemFactory(code="TAG-2", tags=[TagFactory()])

    assert applicable_codes(hotel_with_tag) == ["TAG-1"]
    assert applicable_codes(PremisesFactory(business_type=hotel_with_tag.business_type)) == []


def test_inactive_items_never_apply(hotel_with_tag):
    ChecklistItemFactory(applies_to_all=True, active=False)
    ChecklistItemFactory(business_types=[hotel_with_tag.business_type], active=False)
    ChecklistItemFactory(tags=[hotel_with_tag.tags.get()], active=False)

    assert applicable_codes(hotel_with_tag) == []


def test_item_matching_by_type_and_tag_is_listed_once(hotel_with_tag):
    extra_tag = TagFactory()
    hotel_with_tag.tags.add(extra_tag)
    ChecklistItemFactory(
        code="BOTH",
        applies_to_all=True,
        business_types=[hotel_with_tag.business_type],
        tags=[*hotel_with_tag.tags.all()],
    )

    assert applicable_codes(hotel_with_tag) == ["BOTH"]
