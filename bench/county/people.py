"""The county's organisation: towns, villages, grids and the people in them, made with the ORM
(a few thousand rows; the big tables are COPYed by bench.county.load)."""

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from bench.county.names import TOWNS, VILLAGE_FIRST, VILLAGE_SECOND
from demo.cast import person
from demo.words import DEMO_PASSWORD
from grids.models import Department, Grid, Town, Village

# Per town at --scale 1: 20 villages of 5 grids. One officer per grid, one leader per village,
# 25 members per department, 4 safety-office and 2 registry users per town, and a few county
# users: 1,500 + 300 + 100 + 60 + 30 + 8 ≈ 2,000 users.
DEPARTMENT_MEMBERS = 25
OFFICE_PER_TOWN, REGISTRY_PER_TOWN = 4, 2
COUNTY_OFFICE, COUNTY_REGISTRY = 5, 3
SECOND_OFFICER_SHARE = 0.1  # grids also patrolled by the officer of the next grid
EMAIL_SHARE = 0.3  # users with an email address get their digests by email too


@dataclass
class TownPlan:
    town: Town
    centre: tuple[float, float]
    division: str
    office: list[int] = field(default_factory=list)
    registry: list[int] = field(default_factory=list)


@dataclass
class Org:
    """Ids the history generator needs, by grid / village / town / department."""

    towns: list[TownPlan]
    villages: list[Village]
    grids: list[Grid]
    town_of_village: dict[int, TownPlan]
    officers: dict[int, list[int]]  # grid id → user ids, the grid's own officer first
    leader: dict[int, int]  # village id → user id
    members: dict[int, list[int]]  # department id → user ids
    county_office: list[int]
    users: int = 0


def _split(total: int, parts: int) -> list[int]:
    """`total` spread as evenly as possible over `parts` (the first ones get the remainder)."""
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def _village_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    names, seen = [], set()
    firsts, seconds = VILLAGE_FIRST.split(), VILLAGE_SECOND.split()
    while len(names) < count:
        base = rng.choice(firsts) + rng.choice(seconds)
        if base in seen:
            continue
        seen.add(base)
        kind = Village.Kind.COMMUNITY if rng.random() < 0.25 else Village.Kind.VILLAGE
        names.append((base + ("社区" if kind == Village.Kind.COMMUNITY else "村"), kind))
    return names


def build_places(rng, *, tag: str, towns: int, villages: int, grids: int) -> tuple:
    """Towns, villages and grids, spread evenly; codes carry `tag` so a second county never
    collides with the first."""
    town_rows = [
        Town(
            name=TOWNS[n % len(TOWNS)] + (f"{n // len(TOWNS) + 1}" if n >= len(TOWNS) else ""),
            code=f"{tag}T{n + 1:02d}",
        )
        for n in range(towns)
    ]
    Town.objects.bulk_create(town_rows)
    plans = [
        TownPlan(
            town=town,
            centre=(29.5 + rng.uniform(0, 1.2), 119.2 + rng.uniform(0, 1.2)),
            division=f"3311{n + 21:02d}",
        )
        for n, town in enumerate(town_rows)
    ]
    village_rows, village_town = [], []
    for plan, count in zip(plans, _split(villages, towns), strict=True):
        for n, (name, kind) in enumerate(_village_names(rng, count)):
            code = f"{plan.town.code}-V{n + 1:03d}"
            village_rows.append(Village(town=plan.town, name=name, code=code, kind=kind))
            village_town.append(plan)
    Village.objects.bulk_create(village_rows)
    grid_rows = []
    for village, count in zip(village_rows, _split(grids, villages), strict=True):
        for n in range(count):
            interval = rng.choice([14, 30]) if rng.random() < 0.1 else None
            grid_rows.append(
                Grid(
                    village=village,
                    name=f"第{n + 1}网格",
                    code=f"{village.code}-G{n + 1:02d}",
                    patrol_interval_days=interval,
                )
            )
    Grid.objects.bulk_create(grid_rows)
    town_of = {v.pk: plan for v, plan in zip(village_rows, village_town, strict=True)}
    return plans, village_rows, grid_rows, town_of


class People:
    """Makes users with one shared password hash (hashing 2,000 passwords would take minutes)."""

    def __init__(self, rng: random.Random, tag: str) -> None:
        self.rng, self.tag = rng, tag
        self.password = make_password(DEMO_PASSWORD)
        self.rows: list[User] = []
        self.roles: list[str] = []

    def add(self, name: str, role: str) -> User:
        full_name, phone = person(self.rng)
        username = f"{self.tag.lower()}-{name}"
        user = User(
            username=username,
            full_name=full_name,
            phone=phone,
            password=self.password,
            email=f"{username}@example.com" if self.rng.random() < EMAIL_SHARE else "",
            is_staff=role == Role.REGISTRY_ADMIN,
        )
        self.rows.append(user)
        self.roles.append(role)
        return user

    def save(self) -> None:
        User.objects.bulk_create(self.rows)
        groups = {g.name: g.pk for g in Group.objects.filter(name__in=Role.values)}
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=u.pk, group_id=groups[role])
            for u, role in zip(self.rows, self.roles, strict=True)
        )


def build_org(rng: random.Random, *, tag: str, scale: float, towns, villages, grids) -> Org:
    plans, village_rows, grid_rows, town_of = build_places(
        rng, tag=tag, towns=towns, villages=villages, grids=grids
    )
    people = People(rng, tag)
    officer_of = {
        g.pk: people.add(f"officer-{n + 1:04d}", Role.GRID_OFFICER) for n, g in enumerate(grid_rows)
    }
    leader_of = {
        v.pk: people.add(f"leader-{n + 1:03d}", Role.VILLAGE_LEADER)
        for n, v in enumerate(village_rows)
    }
    departments = list(Department.objects.order_by("code"))
    member_rows = {
        d.pk: [
            people.add(f"dept-{d.code.lower()}-{n + 1:02d}", Role.DEPARTMENT_OFFICER)
            for n in range(max(1, round(DEPARTMENT_MEMBERS * scale)))
        ]
        for d in departments
    }
    office_rows = {}
    for plan in plans:
        code = plan.town.code.lower()
        office_rows[plan.town.code] = [
            people.add(f"office-{code}-{n + 1}", Role.SAFETY_OFFICE) for n in range(OFFICE_PER_TOWN)
        ]
        plan.registry = [
            people.add(f"registry-{code}-{n + 1}", Role.REGISTRY_ADMIN)
            for n in range(REGISTRY_PER_TOWN)
        ]
    county_office = [
        people.add(f"county-office-{n + 1}", Role.SAFETY_OFFICE)
        for n in range(max(1, round(COUNTY_OFFICE * scale)))
    ]
    for n in range(max(1, round(COUNTY_REGISTRY * scale))):
        people.add(f"county-registry-{n + 1}", Role.REGISTRY_ADMIN)
    people.save()
    for plan in plans:
        plan.office = [u.pk for u in office_rows[plan.town.code]]
        plan.registry = [u.pk for u in plan.registry]
    officers = {g.pk: [officer_of[g.pk].pk] for g in grid_rows}
    for n, grid in enumerate(grid_rows[:-1]):
        neighbour = grid_rows[n + 1]
        if neighbour.village_id == grid.village_id and rng.random() < SECOND_OFFICER_SHARE:
            officers[grid.pk].append(officer_of[neighbour.pk].pk)
    Grid.officers.through.objects.bulk_create(
        Grid.officers.through(grid_id=grid_id, user_id=user_id)
        for grid_id, ids in officers.items()
        for user_id in ids
    )
    Village.leaders.through.objects.bulk_create(
        Village.leaders.through(village_id=v, user_id=u.pk) for v, u in leader_of.items()
    )
    Department.members.through.objects.bulk_create(
        Department.members.through(department_id=d, user_id=u.pk)
        for d, users in member_rows.items()
        for u in users
    )
    return Org(
        towns=plans,
        villages=village_rows,
        grids=grid_rows,
        town_of_village=town_of,
        officers=officers,
        leader={v: u.pk for v, u in leader_of.items()},
        members={d: [u.pk for u in users] for d, users in member_rows.items()},
        county_office=[u.pk for u in county_office],
        users=len(people.rows),
    )
