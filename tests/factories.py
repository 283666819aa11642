"""Test data builders (factory_boy). Each factory makes a valid row with the fewest neighbours.

Role groups exist in every test database (accounts/migrations/0002_role_groups.py), so
`UserFactory(role=Role.GRID_OFFICER)` only looks the group up. Scope comes from membership:
`GridFactory(officers=[user])`, `VillageFactory(leaders=[user])`,
`DepartmentFactory(members=[user])`.
"""

import uuid
from datetime import timedelta
from functools import lru_cache

import factory
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from accidents.models import Accident
from accounts.models import User
from accounts.roles import sync_role_groups
from enforcement.models import EnforcementAction
from grids.models import Department, Grid, Town, Village
from hazards.models import Category, Hazard, HazardEvent, RectificationNotice, Severity
from inspections.models import ChecklistItem, Inspection
from notifications.models import Notification
from premises.models import BusinessType, Premises, Tag

DEMO_PASSWORD = "gridwatch-demo"


@lru_cache
def _hashed(raw_password: str, hashers: tuple[str, ...]) -> str:
    # The default hasher is slow by design (docs/decisions.md); a test run makes hundreds of
    # users. One hash per password (and hasher setting) is enough: check_password() verifies it.
    return make_password(raw_password)


def hashed_password(raw_password: str) -> str:
    return _hashed(raw_password, tuple(settings.PASSWORD_HASHERS))


def today():
    return timezone.localdate()


class UserFactory(factory.django.DjangoModelFactory):
    """`UserFactory(role=Role.GRID_OFFICER)` or `role=[...]`; signs in with DEMO_PASSWORD."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    class Params:
        raw_password = DEMO_PASSWORD

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.LazyAttribute(lambda o: hashed_password(o.raw_password))

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if not extracted:
            return
        names = [extracted] if isinstance(extracted, str) else list(extracted)
        if Group.objects.filter(name__in=names).count() < len(set(names)):
            # A transactional test's flush empties auth_group (the migration made the roles);
            # make them again, with their permissions.
            sync_role_groups(django_apps)
        self.groups.add(*Group.objects.filter(name__in=names))
        self.__dict__.pop("role_codes", None)  # forget a cached answer from before


class TownFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"城关镇{n}")
    code = factory.Sequence(lambda n: f"T{n:03d}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village
        skip_postgeneration_save = True

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"东村{n}")
    code = factory.Sequence(lambda n: f"V{n:04d}")

    @factory.post_generation
    def leaders(self, create, extracted, **kwargs):
        if create and extracted:
            self.leaders.add(*extracted)


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid
        skip_postgeneration_save = True

    village = factory.SubFactory(VillageFactory)
    name = factory.Sequence(lambda n: f"第{n}网格")
    code = factory.Sequence(lambda n: f"G{n:05d}")

    @factory.post_generation
    def officers(self, create, extracted, **kwargs):
        if create and extracted:
            self.officers.add(*extracted)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"DEPT{n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class BusinessTypeFactory(factory.django.DjangoModelFactory):
    """No supervising department unless given: `BusinessTypeFactory(department=dept)`."""

    class Meta:
        model = BusinessType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TYPE{n}")
    group = BusinessType.Group.NINE_SMALL
    name_zh = factory.Sequence(lambda n: f"业态{n}")
    name_en = factory.Sequence(lambda n: f"Business type {n}")
    base_risk = "blue"
    department = None


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TAG{n}")
    name_zh = factory.Sequence(lambda n: f"标签{n}")
    raises_risk = False


class PremisesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Premises
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"小场所{n}")
    address = factory.Sequence(lambda n: f"人民路{n}号")
    grid = factory.SubFactory(GridFactory)
    business_type = factory.SubFactory(BusinessTypeFactory)
    operator_name = "张三"
    operator_phone = "13812345678"

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    """Applies to nothing unless told: `applies_to_all=True`, `business_types=[…]`, `tags=[…]`."""

    class Meta:
        model = ChecklistItem
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CK-{n:03d}")
    category = Category.FIRE_FAC
    text_zh = factory.Sequence(lambda n: f"检查项{n}")
    text_en = factory.Sequence(lambda n: f"Checklist item {n}")
    severity = ChecklistItem.ItemSeverity.GENERAL
    default_days = 7

    @factory.post_generation
    def business_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.business_types.add(*extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    premises = factory.SubFactory(PremisesFactory)
    inspector = factory.SubFactory(UserFactory)
    visited_at = factory.LazyFunction(timezone.now)
    kind = Inspection.Kind.ROUTINE
    outcome = Inspection.Outcome.NO_HAZARD
    idempotency_key = factory.LazyFunction(uuid.uuid4)


class RectificationNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RectificationNotice

    number = factory.Sequence(lambda n: f"ZG-2026-{n:06d}")
    premises = factory.SubFactory(PremisesFactory)
    issued_by = factory.SubFactory(UserFactory)
    issued_on = factory.LazyFunction(today)
    deadline = factory.LazyAttribute(lambda o: o.issued_on + timedelta(days=7))


class HazardFactory(factory.django.DjangoModelFactory):
    """A general hazard just reported. Traits: rectifying, submitted, closed, dismissed, major,
    major_rectifying (verified, with its interim measures and plan)."""

    class Meta:
        model = Hazard

    class Params:
        rectifying = factory.Trait(
            status=Hazard.Status.RECTIFYING,
            verified_at=factory.LazyFunction(timezone.now),
        )
        submitted = factory.Trait(
            status=Hazard.Status.SUBMITTED,
            verified_at=factory.LazyFunction(timezone.now),
            submitted_at=factory.LazyFunction(timezone.now),
            submitted_by=factory.SelfAttribute("reported_by"),
        )
        closed = factory.Trait(
            status=Hazard.Status.CLOSED,
            verified_at=factory.LazyFunction(timezone.now),
            submitted_at=factory.LazyFunction(timezone.now),
            closed_at=factory.LazyFunction(timezone.now),
        )
        dismissed = factory.Trait(
            status=Hazard.Status.DISMISSED,
            dismissed_at=factory.LazyFunction(timezone.now),
        )
        major = factory.Trait(severity=Severity.MAJOR)
        major_rectifying = factory.Trait(
            severity=Severity.MAJOR,
            status=Hazard.Status.RECTIFYING,
            verified_at=factory.LazyFunction(timezone.now),
            interim_measures="停止使用该区域,设置警戒线并安排专人值守",
            plan_measures="更换全部老化电线",
            plan_funds=5000,
            plan_responsible="张三",
            plan_deadline=factory.LazyFunction(lambda: today() + timedelta(days=30)),
            emergency_plan="发现异常立即断电并报警",
            rectify_by=factory.LazyFunction(lambda: today() + timedelta(days=30)),
        )

    ledger_number = factory.Sequence(lambda n: f"YH-2026-{n:06d}")
    premises = factory.SubFactory(PremisesFactory)
    category = Category.ELEC
    description = factory.Sequence(lambda n: f"电线私拉乱接{n}")
    severity = Severity.GENERAL
    status = Hazard.Status.REPORTED
    rectify_by = factory.LazyFunction(lambda: today() + timedelta(days=7))
    reported_by = factory.SubFactory(UserFactory)
    reported_at = factory.LazyFunction(timezone.now)


class HazardEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HazardEvent

    hazard = factory.SubFactory(HazardFactory)
    actor = factory.SelfAttribute("hazard.reported_by")
    action = HazardEvent.Action.REPORT
    to_status = Hazard.Status.REPORTED
    at = factory.LazyFunction(timezone.now)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Notification.Kind.OVERDUE
    target_type = "hazard"
    target_id = factory.Sequence(lambda n: n + 1)
    day = factory.LazyFunction(today)
    title = factory.Sequence(lambda n: f"隐患逾期提醒{n}")


class AccidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accident

    occurred_on = factory.LazyFunction(today)
    village = factory.SubFactory(VillageFactory)
    kind = Accident.Kind.FIRE


class EnforcementActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnforcementAction

    hazard = factory.SubFactory(HazardFactory)
    premises = factory.LazyAttribute(
        lambda o: o.hazard.premises if o.hazard is not None else PremisesFactory()
    )
    kind = EnforcementAction.Kind.INTERVIEW
    department = factory.SubFactory(DepartmentFactory)
    decided_on = factory.LazyFunction(today)
    recorded_by = factory.SubFactory(UserFactory)
