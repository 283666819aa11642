"""The demo town's premises: names, credit codes, tags and shapes drawn like a real registry's."""

import random
from datetime import timedelta
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from demo.cast import Demo, Site, person
from demo.words import (
    COMPANIES,
    DEFAULT_SHAPE,
    DIVISION_CODE,
    INSURERS,
    NAMES,
    NO_LICENCE,
    SCENARIO_TYPES,
    SHAPES,
    TAG_ODDS,
    TOWN_CODE,
    TYPE_WEIGHTS,
    VILLAGES,
)
from grids.models import Grid
from premises.models import BusinessType, Premises, Tag
from premises.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

# --- the registry ------------------------------------------------------------------------------


def draw_credit_code(rng: random.Random, company: bool) -> str:
    """A valid 统一社会信用代码: 9 + type + division + organisation code (GB 11714) + check."""
    body = "MA" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
    total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    org_check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    first17 = ("91" if company else "92") + DIVISION_CODE + body + org_check
    return first17 + credit_code_check_char(first17)


def draw_premises_name(rng: random.Random, code: str, road: str, number: int) -> str:
    prefixes, suffixes = NAMES.get(code, ("", ""))
    if code == "RENTAL" or not suffixes:
        return f"{road}{number}号{rng.choice(suffixes.split()) if suffixes else '经营户'}"
    return rng.choice(prefixes.split()) + rng.choice(suffixes.split())


def _unique(name: str, taken: set[str], village: str) -> str:
    candidates = [name, f"{name}({village[:2]}店)"] + [f"{name}({n}店)" for n in range(2, 99)]
    name = next(c for c in candidates if c not in taken)
    taken.add(name)
    return name


def draw_tags(rng: random.Random, type_code: str, tags: list[Tag]) -> set[str]:
    chosen = {
        tag.code for tag in tags if rng.random() < TAG_ODDS.get(tag.code, {}).get(type_code, 0.03)
    }
    if "SANHEYI" in chosen:
        chosen.add("HAS_ACCOMMODATION")  # 三合一 means people sleep there
    return chosen


def build_premises(demo: Demo, grids: list[Grid], count: int) -> list[Site]:
    rng, today = demo.rng, demo.today
    types = list(BusinessType.objects.order_by("code"))
    tags = list(Tag.objects.order_by("code"))
    by_code = {t.code: t for t in types}
    # The scenario premises (officer's grid), then one of every type, then a weighted mix.
    fixed = [by_code.get(code, types[0]) for code in SCENARIO_TYPES] + types
    weights = [TYPE_WEIGHTS.get(t.code, 2) for t in types]
    sites, names, codes = [], set(), set()
    for i in range(count):
        btype = fixed[i] if i < len(fixed) else rng.choices(types, weights)[0]
        grid = grids[0] if i < len(SCENARIO_TYPES) else rng.choice(grids)
        site = _new_site(demo, btype, grid, tags, names, codes)
        site.scenario = i < len(SCENARIO_TYPES)
        if i >= len(fixed) and rng.random() < 0.05:
            closed = rng.random() < 0.4
            site.premises.status = Premises.Status.CLOSED if closed else Premises.Status.SUSPENDED
            site.until = today - timedelta(days=rng.randint(15, 200))
        if i >= len(fixed) and rng.random() < 0.04:
            site.registered = today - timedelta(days=rng.randint(3, 40))  # newly registered
        sites.append(site)
    for n, tag in enumerate(tags):  # every tag in use, even in a small town
        if not any(tag.code in s.tag_codes for s in sites):
            sites[len(SCENARIO_TYPES) + n].tag_codes.add(tag.code)
    for site in sites:
        site.premises._history_date = demo.at_day(site.registered)
    bulk_create_with_history(
        [s.premises for s in sites], Premises, batch_size=500, default_user=demo.users["registry"]
    )
    tag_ids = {t.code: t.pk for t in tags}
    Premises.tags.through.objects.bulk_create(
        Premises.tags.through(premises_id=s.premises.pk, tag_id=tag_ids[code])
        for s in sites
        for code in sorted(s.tag_codes)
    )
    for site in sites:  # registered long before the demo year, mostly
        site.premises.created_at = site.premises.updated_at = site.premises._history_date
    Premises.objects.bulk_update([s.premises for s in sites], ["created_at", "updated_at"])
    demo.stage(f"{len(sites)} premises over {len(types)} business types and {len(tags)} tags.")
    return sites


def _new_site(demo, btype, grid, tags, names, codes) -> Site:
    rng, today = demo.rng, demo.today
    code, village = btype.code, grid.village
    _vcode, _name, _kind, roads, grid_count, (lat, lon) = next(
        v for v in VILLAGES if f"{TOWN_CODE}-{v[0]}" == village.code
    )
    road = rng.choice(roads[int(grid.code[-2:]) - 1 :: grid_count] or roads)
    number = rng.randint(1, 188)
    operator, phone = person(rng)
    area_low, area_high, most_floors, most_staff = SHAPES.get(code, DEFAULT_SHAPE)
    registered = today - timedelta(days=rng.randint(400, 2000))
    credit_code = ""
    if code not in NO_LICENCE and rng.random() < 0.7:
        credit_code = draw_credit_code(rng, code in COMPANIES)
        while credit_code in codes:
            credit_code = draw_credit_code(rng, code in COMPANIES)
        codes.add(credit_code)
    insured = rng.random() < (0.7 if code in COMPANIES | {"HOTEL", "ENT", "FOOD"} else 0.3)
    expires = today + timedelta(
        days=rng.randint(1, 30) if rng.random() < 0.12 else rng.randint(31, 360)
    )
    premises = Premises(
        name=_unique(draw_premises_name(rng, code, road, number), names, village.name),
        address=f"{village.name}{road}{number}号",
        grid=grid,
        business_type=btype,
        credit_code=credit_code,
        operator_name=operator,
        operator_phone=phone,
        floor_area=Decimal(f"{rng.uniform(area_low, area_high):.1f}"),
        floors=rng.randint(1, most_floors),
        staff_count=rng.randint(1, most_staff),
        over_size_limit=bool(btype.size_limit) and rng.random() < 0.06,
        latitude=Decimal(f"{lat + rng.uniform(-0.004, 0.004):.6f}"),
        longitude=Decimal(f"{lon + rng.uniform(-0.004, 0.004):.6f}"),
        commitment_signed_on=(
            min(registered + timedelta(days=rng.randint(0, 60)), today)
            if rng.random() < 0.85
            else None
        ),
        insurer=rng.choice(INSURERS) if insured else "",
        insurance_policy_no=f"PZAB{today.year}3301{rng.randrange(10**9):09d}" if insured else "",
        insurance_expires_on=expires if insured else None,
        created_by=demo.users["registry"],
    )
    return Site(premises, registered, draw_tags(rng, code, tags))
