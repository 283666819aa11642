"""Every URL that takes an object id × every role × an object in scope and one out of scope
(docs/scope.md).

The URLs come from the URL configuration itself: a pattern that captures an object id and has no
case in CASES fails `test_every_url_with_an_object_id_has_a_case`, naming it. Out of scope, a
view answers 403, 404 or 405 — never a redirect, never a byte of the object's data — and a forged
POST changes nothing. In scope, the roles that may see the object get past the scope check (not
404), and the pages that show it show its data (so the "no data" check looks for the right words).

The safety office and registry admins see the whole town, so within one town they have no
out-of-scope object for scope-checked views; with several towns they still see every town
(`test_town_wide_roles_see_every_town`): one deployment serves one town or a county whose office
sees all of it. Role-gated pages (the registry, the accident register's edit page) are tested
for every role that is not let in.

The admin site is one generic case: a non-staff user is sent to the admin's login, a registry
admin is refused the models outside the role, for every registered model (`test_admin_*`).

The data is built once for the module (a transaction rolled back at the end); each test runs in
a savepoint of it, so what a test posts is undone before the next.
"""

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from accounts.roles import Role, sync_role_groups
from enforcement.models import EnforcementAction
from hazards.models import Hazard, HazardEvent, HazardPhoto
from inspections.models import Inspection
from notifications.models import Delivery, Notification
from premises.exporter import template_csv
from premises.models import Premises
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
    NotificationFactory,
    PremisesFactory,
    RectificationNoticeFactory,
    TagFactory,
    TownFactory,
    UserFactory,
    VillageFactory,
)
from tests.module_data import kept_for_the_module

OFFICER, LEADER, DEPARTMENT = "grid_officer", "village_leader", "department_officer"
OFFICE, REGISTRY, NO_ROLE = "safety_office", "registry_admin", "no_role"
ROLES = (OFFICER, LEADER, DEPARTMENT, OFFICE, REGISTRY, NO_ROLE)
EVERYONE = frozenset(ROLES) - {NO_ROLE}
# Captured URL arguments that are not object ids: they pick a variant, an action or a format.
NOT_IDS = frozenset({"variant", "action", "fmt", "app_label", "url"})
OUT_OF_SCOPE_STATUS = {403, 404, 405}
# A town-wide role on a step that is not theirs (lifting a seal as the registry admin): the
# object is in scope, so the view may also send them back to it with an error, as it does for
# any refused step — as long as nothing changes.
NOT_THEIR_STEP_STATUS = OUT_OF_SCOPE_STATUS | {302}

# The town (one town, two villages): village A has grids A1 and A2, village B has grid B1. The
# department supervises the hotel type; everything else is a shop nobody supervises.
#   A1: shop in grid A1 (the officer's)    A2: shop in grid A2 (same village, other grid)
#   B1: shop in village B                  D:  hotel in village B (the department's sector)
SITES = ("A1", "A2", "B1", "D")
# Which site is out of, and inside, each role's scope; None: the role sees the whole town.
OUTSIDE = {OFFICER: "A2", LEADER: "B1", DEPARTMENT: "A1", NO_ROLE: "A1", OFFICE: None}
OUTSIDE[REGISTRY] = None
OTHERS_IMPORT = "导入场所机密-他人"
INSIDE = {OFFICER: "A1", LEADER: "A2", DEPARTMENT: "D", OFFICE: "B1", REGISTRY: "B1"}


# --- the data ------------------------------------------------------------------------------------


@dataclass
class Site:
    premises: Premises
    inspection: Inspection
    notice: object
    hazard: Hazard
    photo: HazardPhoto
    photo_bytes: bytes
    enforcement: EnforcementAction
    accident: object
    scan_bytes: bytes


@dataclass
class World:
    users: dict[str, User]
    sites: dict[str, Site]
    villages: dict[str, object]
    grids: dict[str, object]
    department: object
    other_department: object
    town: object
    other_town_premises: Premises
    target_user: User  # a user registry admins manage
    superuser: User
    notifications: dict[str, Notification]  # role → one of theirs; "other" → someone else's
    import_tokens: dict[str, str]  # "registry" → the registry admin's session's; "other" → not
    var_dir: Path
    media: Path


def jpeg_bytes() -> bytes:
    """A small real JPEG; noise makes each file's bytes its own."""
    buffer = io.BytesIO()
    Image.effect_noise((64, 48), 60).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


PHONES = {"A1": "13900000011", "A2": "13900000012", "B1": "13900000021", "D": "13900000031"}


def _site(key: str, grid, business_type, department, reporter, media: Path) -> Site:
    premises = PremisesFactory(
        name=f"秘密场所{key}",
        address=f"保密路{key}号",
        grid=grid,
        business_type=business_type,
        operator_name=f"经营者{key}",
        operator_phone=PHONES[key],
        commitment_scan=f"commitments/2026/scan-{key}.pdf",
    )
    scan_bytes = f"%PDF-1.4 commitment letter of site {key} %%EOF".encode()
    (media / "commitments/2026").mkdir(parents=True, exist_ok=True)
    (media / f"commitments/2026/scan-{key}.pdf").write_bytes(scan_bytes)
    inspection = InspectionFactory(
        premises=premises, inspector=reporter, notes=f"巡查备注{key}-机密", kind="routine"
    )
    notice = RectificationNoticeFactory(
        number=f"ZG-2026-SCOPE{key}", premises=premises, inspection=inspection, issued_by=reporter
    )
    hazard = HazardFactory(
        ledger_number=f"YH-2026-SC{key}",
        description=f"隐患描述{key}-机密",
        premises=premises,
        inspection=inspection,
        notice=notice,
        department=department,
        reported_by=reporter,
    )
    HazardEventFactory(hazard=hazard, actor=reporter)
    photo_bytes = jpeg_bytes()
    (media / "hazards/sc").mkdir(parents=True, exist_ok=True)
    (media / f"hazards/sc/scope-{key}.jpg").write_bytes(photo_bytes)
    (media / f"hazards/sc/scope-{key}_t.jpg").write_bytes(photo_bytes)
    photo = HazardPhoto.objects.create(
        hazard=hazard,
        stage=HazardPhoto.Stage.FINDING,
        image=f"hazards/sc/scope-{key}.jpg",
        thumbnail=f"hazards/sc/scope-{key}_t.jpg",
        uploaded_by=reporter,
    )
    enforcement = EnforcementActionFactory(
        hazard=hazard,
        kind=EnforcementAction.Kind.SUSPEND,
        department=department or DepartmentFactory(code=f"ENF-{key}"),
        note=f"执法记录{key}-机密",
        recorded_by=reporter,
    )
    accident = AccidentFactory(
        village=grid.village, premises=premises, description=f"事故经过{key}-机密"
    )
    return Site(
        premises, inspection, notice, hazard, photo, photo_bytes, enforcement, accident, scan_bytes
    )


def _import_file(folder: Path, token: str, name: str) -> None:
    """A registry list with one row, refused on apply (its grid does not exist), so neither the
    preview nor a refused apply consumes it."""
    rows = list(csv.reader(io.StringIO(template_csv().lstrip("\ufeff"))))
    header = rows[0]
    values = {
        "名称": name,
        "地址": "导入路1号",
        "村(社区)": "无此村",
        "网格": "无此网格",
        "业态": "无",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow([values.get(column, "") for column in header])
    (folder / token).write_bytes(out.getvalue().encode("utf-8-sig"))


def build_world(media: Path, var_dir: Path) -> World:
    if Group.objects.count() < len(Role):
        sync_role_groups(apps)
    users = {
        OFFICER: UserFactory(username="m-officer", full_name="网格员甲", role=Role.GRID_OFFICER),
        LEADER: UserFactory(username="m-leader", full_name="书记甲", role=Role.VILLAGE_LEADER),
        DEPARTMENT: UserFactory(
            username="m-dept", full_name="监管员甲", role=Role.DEPARTMENT_OFFICER
        ),
        OFFICE: UserFactory(username="m-office", full_name="安委办甲", role=Role.SAFETY_OFFICE),
        REGISTRY: UserFactory(
            username="m-registry", full_name="管理员甲", role=Role.REGISTRY_ADMIN, is_staff=True
        ),
        NO_ROLE: UserFactory(username="m-nobody", full_name="无角色甲"),
    }
    town = TownFactory(name="矩阵镇", code="MATRIX")
    village_a = VillageFactory(
        town=town, name="甲村机密", code="VA-SECRET", leaders=[users[LEADER]]
    )
    village_b = VillageFactory(town=town, name="乙村机密", code="VB-SECRET")
    grid_a1 = GridFactory(village=village_a, name="甲一网格", code="GA1", officers=[users[OFFICER]])
    grid_a2 = GridFactory(village=village_a, name="甲二网格", code="GA2")
    grid_b1 = GridFactory(village=village_b, name="乙一网格机密", code="GB1-SECRET")
    department = DepartmentFactory(
        name="文旅监管机密", code="DEPT-SECRET", members=[users[DEPARTMENT]]
    )
    other_department = DepartmentFactory(name="其他部门", code="DEPT-OTHER")
    shop = BusinessTypeFactory(code="M-SHOP")
    hotel = BusinessTypeFactory(code="M-HOTEL", department=department)
    reporter = UserFactory(username="m-reporter", role=Role.GRID_OFFICER)
    sites = {
        "A1": _site("A1", grid_a1, shop, None, reporter, media),
        "A2": _site("A2", grid_a2, shop, None, reporter, media),
        "B1": _site("B1", grid_b1, shop, None, reporter, media),
        "D": _site("D", grid_b1, hotel, department, reporter, media),
    }
    target = UserFactory(
        username="m-target", full_name="被管理者机密", phone="13712345678", role=Role.GRID_OFFICER
    )
    grid_b1.officers.add(target)
    superuser = UserFactory(
        username="m-root", full_name="超级管理员机密", is_staff=True, is_superuser=True
    )
    notifications = {
        role: NotificationFactory(recipient=user, title=f"提醒{role}-机密")
        for role, user in users.items()
    }
    notifications["other"] = NotificationFactory(recipient=target, title="别人的提醒-机密")
    other_town_premises = PremisesFactory(
        name="外镇场所", grid=GridFactory(village=VillageFactory(town=TownFactory(code="OTHER")))
    )
    folder = var_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    tokens = {"registry": uuid.uuid4().hex, "other": uuid.uuid4().hex}
    _import_file(folder, tokens["registry"], "导入场所-本会话")
    _import_file(folder, tokens["other"], OTHERS_IMPORT)
    # One row of every model the admin shows, so each admin page has an object.
    ChecklistItemFactory(code="M-CK-1")
    note = notifications["other"]
    Delivery.objects.create(
        key=f"email:{note.pk}",
        channel=Delivery.Channel.EMAIL,
        notification=note,
        address="target@example.com",
        subject=note.title,
        text=note.title,
    )
    TagFactory(code="M-TAG")
    return World(
        users=users,
        sites=sites,
        villages={"A": village_a, "B": village_b},
        grids={"A1": grid_a1, "A2": grid_a2, "B1": grid_b1},
        department=department,
        other_department=other_department,
        town=town,
        other_town_premises=other_town_premises,
        target_user=target,
        superuser=superuser,
        notifications=notifications,
        import_tokens=tokens,
        var_dir=var_dir,
        media=media,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("scope-media")
    var_dir = tmp_path_factory.mktemp("scope-var")
    with kept_for_the_module(django_db_blocker):
        with override_settings(MEDIA_ROOT=media, VAR_DIR=var_dir):
            built = build_world(media, var_dir)
        yield built


@pytest.fixture(autouse=True)
def media_root(settings, world):
    """The module's files instead of conftest's empty folder per test."""
    settings.MEDIA_ROOT = world.media
    settings.VAR_DIR = world.var_dir
    return world.media


@pytest.fixture(autouse=True)
def _db(db):
    """Each test in a savepoint of the module's data."""


# --- the cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """How to test one URL name.

    `pick(world, key)` gives the object for a site key (or another key for non-site kinds),
    `kwargs(obj)` the URL's arguments, `post(world, obj)` a plausible, valid body (None: the
    view takes no POST). `viewers`: roles the page is for at all; the rest get 403/404 for every
    object. `scope`: "site" (premises visibility), "own" (the user's own rows), "token" (the
    session's), or "none" (whole town for the viewers). `shows`: the page shows the object's
    first secret when in scope."""

    pick: Callable
    kwargs: Callable
    secrets: Callable
    post: Callable | None = None
    get: bool = True
    viewers: frozenset = EVERYONE
    scope: str = "site"
    shows: bool = False
    json: bool = False  # also POST with Accept: application/json


def premises_secrets(p: Premises) -> list:
    return [p.name, p.address, p.operator_phone]


def site(attr: str) -> Callable:
    return lambda world, key: getattr(world.sites[key], attr)


def hazard_secrets(h: Hazard) -> list:
    return [h.ledger_number, h.description, *premises_secrets(h.premises)]


def today():
    return timezone.localdate()


def inspection_post(world, premises) -> dict:
    return {
        "idempotency_key": str(uuid.uuid4()),
        "kind": "routine",
        "notes": "forged",
        "extra-TOTAL_FORMS": "0",
        "extra-INITIAL_FORMS": "0",
        "extra-MIN_NUM_FORMS": "0",
        "extra-MAX_NUM_FORMS": "10",
    }


def premises_post(world, premises) -> dict:
    return {
        "name": "伪造名称",
        "address": "伪造地址",
        "business_type": premises.business_type_id,
        "operator_name": "伪造",
        "operator_phone": "13800000000",
    }


TRANSITION_BODIES = {
    "verify": lambda w: {
        "verify-severity": "general",
        "verify-rectify_by": str(today() + timedelta(days=3)),
    },
    "dismiss": lambda w: {"dismiss-reason": "forged"},
    "submit_fix": lambda w: {"submit_fix-key": str(uuid.uuid4()), "submit_fix-note": "forged"},
    "accept": lambda w: {"accept-key": str(uuid.uuid4()), "accept-note": "forged"},
    "reject": lambda w: {"reject-key": str(uuid.uuid4()), "reject-reason": "forged"},
    "extend": lambda w: {
        "extend-rectify_by": str(today() + timedelta(days=90)),
        "extend-reason": "forged",
    },
    "escalate": lambda w: {"escalate-department": w.other_department.pk, "escalate-note": "x"},
}


def transition_case(action: str) -> Case:
    return Case(
        pick=site("hazard"),
        kwargs=lambda h, action=action: {"pk": h.pk, "action": action},
        secrets=hazard_secrets,
        post=lambda w, h, action=action: TRANSITION_BODIES[action](w),
        get=False,
    )


REGISTRY_ONLY = frozenset({REGISTRY})
pk = lambda obj: {"pk": obj.pk}  # noqa: E731

CASES: dict[str, Case | list[Case]] = {
    # The field pages: premises and everything found there, by premises scope.
    "inspections:premises_detail": Case(site("premises"), pk, premises_secrets, shows=True),
    "inspections:premises_qr": Case(site("premises"), pk, lambda p: [p.qr_token]),
    "inspections:premises_label": Case(site("premises"), pk, premises_secrets, shows=True),
    "inspections:inspection_new": Case(
        site("premises"),
        lambda p: {"premises_pk": p.pk},
        premises_secrets,
        post=inspection_post,
        json=True,
    ),
    "inspections:scan": Case(site("premises"), lambda p: {"token": p.qr_token}, premises_secrets),
    "inspections:inspection_detail": Case(
        site("inspection"),
        pk,
        lambda i: [*premises_secrets(i.premises), i.notes],
        shows=True,
    ),
    "hazards:notice_detail": Case(
        site("notice"), pk, lambda n: [n.number, *premises_secrets(n.premises)], shows=True
    ),
    "hazards:photo": Case(
        lambda w, key: (w.sites[key].photo, w.sites[key].photo_bytes),
        lambda pair: {"pk": pair[0].pk, "variant": "full"},
        lambda pair: [pair[1][200:400]],
        shows=True,
    ),
    "hazards:hazard_detail": Case(site("hazard"), pk, hazard_secrets, shows=True),
    "hazards:hazard_transition": [transition_case(action) for action in TRANSITION_BODIES],
    "enforcement:enforcement_new": Case(
        site("hazard"),
        pk,
        hazard_secrets,
        post=lambda w, h: {
            "kind": "interview",
            "department": w.department.pk,
            "decided_on": str(today()),
            "note": "forged",
        },
        viewers=frozenset({DEPARTMENT, OFFICE}),
        shows=True,
    ),
    "enforcement:enforcement_lift": Case(
        site("enforcement"),
        pk,
        lambda e: [e.note, *hazard_secrets(e.hazard)],
        post=lambda w, e: {f"lift-{e.pk}-lifted_on": str(today()), f"lift-{e.pk}-note": "x"},
        get=False,
        viewers=frozenset({DEPARTMENT, OFFICE}),
    ),
    "accidents:accident_edit": Case(
        site("accident"),
        pk,
        lambda a: [a.description, *premises_secrets(a.premises)],
        post=lambda w, a: {
            "occurred_on": str(today()),
            "village": a.village_id,
            "kind": "fire",
            "deaths": "9",
            "injuries": "0",
            "direct_loss": "1",
            "description": "forged",
        },
        viewers=frozenset({OFFICE}),  # accidents.change_accident
        scope="none",
        shows=True,
    ),
    # The inbox: one's own notifications only.
    "notifications:mark_read": Case(
        lambda w, key: w.notifications[key],
        pk,
        lambda n: [n.title],
        post=lambda w, n: {"next": "/"},
        get=False,
        viewers=frozenset(ROLES),
        scope="own",
    ),
    # The registry: registry admins only, the whole town.
    "premises:detail": Case(
        site("premises"), pk, premises_secrets, viewers=REGISTRY_ONLY, scope="none", shows=True
    ),
    "premises:edit": Case(
        site("premises"),
        pk,
        premises_secrets,
        post=premises_post,
        viewers=REGISTRY_ONLY,
        scope="none",
        shows=True,
    ),
    "premises:move": Case(
        site("premises"),
        pk,
        premises_secrets,
        post=lambda w, p: {"grid": w.grids["A1"].pk, "reason": "forged"},
        viewers=REGISTRY_ONLY,
        scope="none",
        shows=True,
    ),
    "premises:status": Case(
        site("premises"),
        pk,
        premises_secrets,
        post=lambda w, p: {"status": "closed", "reason": "forged"},
        get=False,
        viewers=REGISTRY_ONLY,
        scope="none",
    ),
    "premises:history": Case(
        site("premises"), pk, premises_secrets, viewers=REGISTRY_ONLY, scope="none", shows=True
    ),
    "premises:commitment_scan": Case(
        lambda w, key: (w.sites[key].premises, w.sites[key].scan_bytes),
        lambda pair: {"pk": pair[0].pk},
        lambda pair: [pair[1], *premises_secrets(pair[0])],
        scope="site",
        shows=True,
    ),
    "premises:import_preview": Case(
        lambda w, key: w.import_tokens[key],
        lambda token: {"token": token},
        lambda token: [OTHERS_IMPORT],
        viewers=REGISTRY_ONLY,
        scope="token",
    ),
    "premises:import_apply": Case(
        lambda w, key: w.import_tokens[key],
        lambda token: {"token": token},
        lambda token: [OTHERS_IMPORT],
        post=lambda w, token: {},
        get=False,
        viewers=REGISTRY_ONLY,
        scope="token",
    ),
    # The organisation pages: registry admins only, the whole town; superusers out of reach.
    "premises:grids:village_edit": Case(
        lambda w, key: w.villages["B"],
        pk,
        lambda v: [v.name, v.code],
        post=lambda w, v: {
            "town": w.town.pk,
            "name": "伪造村",
            "code": "FORGED",
            "kind": "village",
        },
        viewers=REGISTRY_ONLY,
        scope="none",
        shows=True,
    ),
    "premises:grids:grid_edit": Case(
        lambda w, key: w.grids["B1"],
        pk,
        lambda g: [g.name, g.code],
        post=lambda w, g: {"village": g.village_id, "name": "伪造网格", "code": "FORGED"},
        viewers=REGISTRY_ONLY,
        scope="none",
        shows=True,
    ),
    "premises:grids:department_edit": Case(
        lambda w, key: w.department,
        pk,
        lambda d: [d.name, d.code],
        post=lambda w, d: {"name": "伪造部门", "code": "FORGED"},
        viewers=REGISTRY_ONLY,
        scope="none",
        shows=True,
    ),
    "premises:grids:user_edit": Case(
        lambda w, key: w.superuser if key == "outside" else w.target_user,
        pk,
        lambda u: [u.full_name, u.phone] if u.phone else [u.full_name],
        post=lambda w, u: {"username": "forged", "full_name": "伪造"},
        viewers=REGISTRY_ONLY,
        scope="user",
        shows=True,
    ),
    "premises:grids:user_set_active": Case(
        lambda w, key: w.superuser if key == "outside" else w.target_user,
        pk,
        lambda u: [u.full_name],
        post=lambda w, u: {"active": "no"},
        get=False,
        viewers=REGISTRY_ONLY,
        scope="user",
    ),
    "premises:grids:user_assignments": Case(
        lambda w, key: w.superuser if key == "outside" else w.target_user,
        pk,
        lambda u: [u.full_name],
        post=lambda w, u: {"grids": [w.grids["A1"].pk]},
        viewers=REGISTRY_ONLY,
        scope="user",
        shows=True,
    ),
}


# --- the URL configuration ----------------------------------------------------------------------


def walk_urls(patterns, namespace=None, route=""):
    """(name, route, namespace, the object-id arguments) of every URL pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk_urls(pattern.url_patterns, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            ids = set(pattern.pattern.regex.groupindex) - NOT_IDS
            yield name, route + str(pattern.pattern), namespace, ids


URLS_WITH_IDS = [(n, r, ns) for n, r, ns, ids in walk_urls(get_resolver().url_patterns) if ids]
SITE_URLS = sorted({name or route for name, route, ns in URLS_WITH_IDS if ns != "admin"})
ADMIN_URLS = sorted({name or route for name, route, ns in URLS_WITH_IDS if ns == "admin"})


def test_every_url_with_an_object_id_has_a_case():
    missing = [name for name in SITE_URLS if name not in CASES]

    assert not missing, (
        "URLs that take an object id but have no case in tests/test_scope_matrix.py CASES "
        f"(add one: who may see the object, and what of it must not leak): {missing}"
    )


def test_every_case_names_a_url_that_exists():
    assert not set(CASES) - set(SITE_URLS)


def test_admin_pages_with_ids_are_all_covered_by_the_admin_case():
    covered = {url for model in admin.site._registry for url in admin_url_names(model)}
    covered |= {"admin:view_on_site", "admin:auth_user_password_change"}
    unnamed = {url for url in ADMIN_URLS if not url.startswith("admin:")}

    # The unnamed ones are the admin's "<id>/" redirects to the change page, one per model.
    assert set(ADMIN_URLS) - unnamed == covered
    assert len(unnamed) == len(admin.site._registry)


# --- the matrix ---------------------------------------------------------------------------------


def outside_key(case: Case, role: str) -> str | None:
    """Which object is out of this role's reach for this case; None: nothing is."""
    if case.scope == "own":
        return "other"
    if case.scope == "token":
        return "other"
    if case.scope == "user":
        return "outside"
    if role not in case.viewers:
        return OUTSIDE[role] or "B1"  # the page is not for this role at all
    if case.scope == "site":
        return OUTSIDE[role]
    return None  # "none": the viewers see the whole town


def inside_key(case: Case, role: str) -> str | None:
    if role not in case.viewers:
        return None
    if case.scope == "own":
        return role
    if case.scope == "token":
        return "registry"
    if case.scope == "user":
        return "inside"
    return INSIDE.get(role, "B1") if case.scope == "site" else "B1"


def _cases(name: str) -> list[Case]:
    value = CASES[name]
    return value if isinstance(value, list) else [value]


def snapshot(obj) -> tuple:
    """What a forged request must not change: the object's row and the audit tables."""
    row = None
    if hasattr(obj, "_meta"):
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        row = model_to_dict(fresh) if fresh is not None else None
        row = {k: v for k, v in (row or {}).items() if not isinstance(v, list)}
    counts = tuple(
        model.objects.count()
        for model in (Premises, Inspection, Hazard, HazardEvent, HazardPhoto, EnforcementAction)
    )
    history = Premises.history.model.objects.count()
    read = Notification.objects.filter(read_at__isnull=False).count()
    active = User.objects.filter(is_active=True).count()
    return row, counts, history, read, active


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def leaked(response, secrets) -> list:
    body = body_of(response)
    found = []
    for secret in secrets:
        raw = secret if isinstance(secret, bytes) else str(secret).encode()
        if raw and raw in body:
            found.append(secret)
    return found


def requests_for(case: Case, world: World, obj):
    """(method, data, extra headers) for each request the case makes."""
    yield "GET", None, {}  # a POST-only view answers 405 and nothing else
    if case.post is not None:
        yield "POST", case.post(world, obj), {}
        if case.json:
            yield "POST", case.post(world, obj), {"HTTP_ACCEPT": "application/json"}


def _sign_in(client, world: World, role: str) -> User:
    user = world.users[role]
    client.force_login(user)
    if role == REGISTRY:
        session = client.session
        session["registry_imports"] = {world.import_tokens["registry"]: "mine.csv"}
        session.save()
    return user


def refuse_out_of_scope(client, world: World, name: str, role: str) -> None:
    for case in _cases(name):
        key = outside_key(case, role)
        if key is None:
            continue
        obj = case.pick(world, key)
        url = reverse(name, kwargs=case.kwargs(obj))
        secrets = case.secrets(obj)
        for method, data, headers in requests_for(case, world, obj):
            if method == "GET":
                response = client.get(url, **headers)
                before = after = None
            else:
                before = snapshot(obj)
                response = client.post(url, data, **headers)
                after = snapshot(obj)

            where = f"{method} {url} as {role}"
            expected = OUT_OF_SCOPE_STATUS
            if case.scope == "site" and OUTSIDE[role] is None and method == "POST":
                expected = NOT_THEIR_STEP_STATUS
            assert response.status_code in expected, f"{where}: {response.status_code}"
            assert not leaked(response, secrets), f"{where} leaked {leaked(response, secrets)}"
            assert after == before, f"{where} changed something"


def reach_in_scope(client, world: World, name: str, role: str) -> None:
    for case in _cases(name):
        key = inside_key(case, role)
        if key is None:
            continue
        obj = case.pick(world, key)
        url = reverse(name, kwargs=case.kwargs(obj))
        if case.get:
            response = client.get(url)
            assert response.status_code != 404, f"GET {url} as {role}"
            if case.shows:
                assert response.status_code == 200, f"GET {url} as {role}"
                first = case.secrets(obj)[0]
                assert leaked(response, [first]), f"GET {url} as {role} does not show {first!r}"
        else:
            response = client.post(url, {})  # an empty form: refused or harmless, never 404
            assert response.status_code != 404, f"POST {url} as {role}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_role_is_refused_out_of_scope_and_reaches_in_scope(client, world, name):
    """Out of scope: 403/404/405, none of the object's data, nothing changed by a forged POST.
    In scope: past the scope check, and the page shows the object."""
    for role in ROLES:
        _sign_in(client, world, role)
        refuse_out_of_scope(client, world, name, role)
        reach_in_scope(client, world, name, role)


# --- beyond one town -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [OFFICE, REGISTRY])
def test_town_wide_roles_see_every_town(client, world, role):
    """Documented behaviour: the safety office and registry admins see every town of the
    deployment (a county runs one deployment for its towns)."""
    client.force_login(world.users[role])
    premises = world.other_town_premises

    response = client.get(reverse("inspections:premises_detail", args=[premises.pk]))

    assert response.status_code == 200
    assert premises.name in response.text


@pytest.mark.parametrize("role", [OFFICER, LEADER, DEPARTMENT, NO_ROLE])
def test_scoped_roles_see_nothing_of_another_town(client, world, role):
    client.force_login(world.users[role])
    premises = world.other_town_premises

    response = client.get(reverse("inspections:premises_detail", args=[premises.pk]))

    assert response.status_code == 404
    assert premises.name not in response.text


# --- the admin site ------------------------------------------------------------------------------


def admin_url_names(model) -> list[str]:
    label = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return [f"{label}_change", f"{label}_history", f"{label}_delete"]


# Outside the registry admin's role (accounts/roles.py; tests/test_admin.py).
ADMIN_NOT_FOR_REGISTRY = {
    "auth.group",
    "notifications.notification",
    "hazards.ledgersequence",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
}


def admin_object(model):
    obj = model._default_manager.order_by("-pk").first()
    if obj is None and model._meta.label_lower == "hazards.ledgersequence":
        obj = model.objects.create(prefix="YH", year=2026, last=1)
    if obj is None and model._meta.app_label == "axes":
        return None  # the throttle's own records; none exist until someone fails to sign in
    assert obj is not None, f"the scope matrix's data has no {model._meta.label}: add one"
    return obj


def admin_urls() -> list[tuple[str, object]]:
    urls = []
    for model in admin.site._registry:
        obj = admin_object(model)
        if obj is None:
            continue
        for name in admin_url_names(model):
            urls.append((reverse(name, args=[obj.pk]), obj))
        urls.append((f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/", obj))
    return urls


@pytest.mark.parametrize("role", [OFFICER, LEADER, DEPARTMENT, OFFICE, NO_ROLE])
def test_admin_sends_non_staff_to_its_login_without_data(client, world, role):
    client.force_login(world.users[role])
    premises = world.sites["B1"].premises
    urls = admin_urls()
    urls.append((reverse("admin:auth_user_password_change", args=[world.target_user.pk]), None))
    urls.append((reverse("admin:view_on_site", args=[1, premises.pk]), premises))

    for url, obj in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
        assert not response.content, url
        assert obj is None or str(obj) not in response.text


def test_admin_refuses_the_registry_admin_models_outside_the_role(client, world):
    client.force_login(world.users[REGISTRY])

    for model in admin.site._registry:
        if model._meta.label_lower not in ADMIN_NOT_FOR_REGISTRY:
            continue
        obj = admin_object(model)
        if obj is None:
            continue
        for name in admin_url_names(model):
            response = client.get(reverse(name, args=[obj.pk]))
            assert response.status_code == 403, name
            assert str(obj) not in response.text, name
