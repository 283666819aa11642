"""What the demo's stages share (the random source, the clock, the cast) and its people."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from io import BytesIO

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.roles import Role
from demo.words import (
    DEMO_PASSWORD,
    DENSE_GRID,
    GIVEN_NAMES,
    GRID_NAMES,
    HOME_GRID,
    LOGINS,
    MOBILE_PREFIXES,
    PHOTO_COLOURS,
    SURNAMES,
    TOWN_CODE,
    TOWN_NAME,
    VILLAGES,
)
from grids.models import Department, Grid, Town, Village
from hazards.photos import process_photo
from inspections.models import ChecklistItem, Inspection
from premises.models import Premises


@dataclass
class Site:
    """A premises being built, with what the planner needs to know about it."""

    premises: Premises
    registered: date
    tag_codes: set[str]
    until: date | None = None  # suspended or closed since
    scenario: bool = False
    history: list["HazardPlan"] = field(default_factory=list)


@dataclass
class HazardPlan:
    item: ChecklistItem
    severity: str
    found_at: datetime
    reporter: User
    deadline: date
    location: str
    steps: list[tuple[str, datetime, dict]] = field(default_factory=list)
    closed_at: datetime | None = None
    ends_at: datetime | None = None  # closed or dismissed; None while open


@dataclass
class Visit:
    site: Site
    at: datetime
    inspector: User
    kind: str = Inspection.Kind.ROUTINE
    hazards: list[HazardPlan] = field(default_factory=list)


@dataclass
class Demo:
    """Everything the stages share: the random source, the clock and the cast."""

    rng: random.Random
    now: datetime
    log: Callable[[str], None]
    started: float = field(default_factory=time.monotonic)
    users: dict[str, User] = field(default_factory=dict)
    officer_of: dict[int, User] = field(default_factory=dict)  # grid id →
    leader_of: dict[int, User] = field(default_factory=dict)  # village id →
    members_of: dict[int, list[User]] = field(default_factory=dict)  # department id →
    zhian: Department | None = None  # 执安: takes over what is escalated
    photos: list[tuple[bytes, bytes]] = field(default_factory=list)  # (image, thumbnail)

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def at_day(self, day: date, hour: int | None = None, minute: int | None = None) -> datetime:
        """An aware local time on `day`, within working hours unless given."""
        hour = self.rng.randint(9, 17) if hour is None else hour
        minute = self.rng.randrange(60) if minute is None else minute
        return datetime.combine(day, clock(hour, minute), tzinfo=timezone.get_current_timezone())

    def stage(self, message: str) -> None:
        self.log(f"[{time.monotonic() - self.started:5.1f}s] {message}")


# --- the organisation and its people -------------------------------------------------------------


def _user(username: str, role: str, full_name: str, phone: str, password: str | None) -> User:
    """Get or create a login with its role; an existing login keeps its password."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            full_name=full_name,
            phone=phone,
            password=password or make_password(DEMO_PASSWORD),
        )
    user.groups.add(Group.objects.get(name=role))
    if role == Role.REGISTRY_ADMIN and not user.is_staff:
        user.is_staff = True  # for the Django admin
        user.save(update_fields=["is_staff"])
    return user


def ensure_demo_logins(town: Town, password: str | None = None) -> dict[str, User]:
    """The five demo logins with their roles: `officer` in the home grid (东岭村 第一网格),
    `leader` of its village, `department` in 执安. Adds what is missing, removes nothing."""
    users = {name: _user(name, *spec, password) for name, spec in LOGINS.items()}
    grids = Grid.objects.filter(village__town=town).select_related("village").order_by("code")
    grid = next((g for g in grids if g.code == HOME_GRID), grids[0])
    grid.officers.add(users["officer"])
    grid.village.leaders.add(users["leader"])
    Department.objects.get(code="ZHIAN").members.add(users["department"])
    return users


def person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES.split())
    return name, rng.choice(MOBILE_PREFIXES.split()) + f"{rng.randrange(10**8):08d}"


def build_town(demo: Demo) -> tuple[Town, list[Grid]]:
    town = Town.objects.create(name=TOWN_NAME, code=TOWN_CODE)
    grids = []  # in the order of VILLAGES: the home grid first
    for code, name, kind, _roads, grid_count, _centre in VILLAGES:
        village = Village.objects.create(
            town=town, name=name, code=f"{TOWN_CODE}-{code}", kind=kind
        )
        for n in range(grid_count):
            grid_code = f"{village.code}-{n + 1:02d}"
            grid = Grid.objects.create(
                village=village,
                name=GRID_NAMES[n],
                code=grid_code,
                # A dense community patrols its blue premises more often than the default.
                patrol_interval_days=30 if grid_code == DENSE_GRID else None,
            )
            grids.append(grid)

    # A hash is slow by design (docs/decisions.md): one for every demo user.
    password = make_password(DEMO_PASSWORD)
    demo.users = ensure_demo_logins(town, password)
    demo.zhian = Department.objects.get(code="ZHIAN")
    villages = list(dict.fromkeys(grid.village for grid in grids))
    for n, grid in enumerate(grids):
        officer = (
            demo.users["officer"]
            if n == 0
            else _extra_user(demo, f"officer{n + 1}", Role.GRID_OFFICER, password)
        )
        grid.officers.add(officer)
        demo.officer_of[grid.pk] = officer
    for n, village in enumerate(villages):
        leader = (
            demo.users["leader"]
            if n == 0
            else _extra_user(demo, f"leader{n + 1}", Role.VILLAGE_LEADER, password)
        )
        village.leaders.add(leader)
        demo.leader_of[village.pk] = leader
    for department in Department.objects.order_by("code"):
        if department.code != "ZHIAN":
            member = _extra_user(
                demo, f"dept_{department.code.lower()}", Role.DEPARTMENT_OFFICER, password
            )
            department.members.add(member)
        demo.members_of[department.pk] = list(department.members.all())
    demo.photos = [photo_files(colour) for colour in PHOTO_COLOURS]
    demo.stage(
        f"Town {TOWN_NAME}: {len(villages)} villages, {len(grids)} grids, "
        f"{User.objects.filter(groups__name__in=Role.values).distinct().count()} users."
    )
    return town, grids


def _extra_user(demo: Demo, username: str, role: str, password: str) -> User:
    return _user(username, role, *person(demo.rng), password)


def photo_files(colour: str) -> tuple[bytes, bytes]:
    """A tiny real JPEG and its thumbnail, made the way an upload is (hazards.photos)."""
    buffer = BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG", quality=80)
    processed = process_photo(ContentFile(buffer.getvalue(), name="demo.jpg"))
    return processed.image.read(), processed.thumbnail.read()
