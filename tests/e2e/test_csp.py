"""Every main page, as each role, under the Content Security Policy of config/settings.py:
a real Chromium reports no violation — no inline script, no inline style, nothing from another
origin (docs/architecture.md, Settings from the environment).

The demo town (seed_demo, 40 premises) gives every page real rows, charts and forms. Violations
are caught twice: the `securitypolicyviolation` event (recorded by a script Playwright adds
before the page's own, which the policy does not govern) and Chromium's console message."""

from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from accounts.roles import sync_role_groups
from demo.words import DEMO_PASSWORD, HOME_GRID
from enforcement.models import EnforcementAction
from hazards.models import Hazard, RectificationNotice
from inspections.models import Inspection
from premises.models import Premises

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || location.pathname}:${e.lineNumber}`);
});
"""


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    sync_role_groups(apps)  # a flushed transactional database has lost the role groups
    debug, settings.DEBUG = settings.DEBUG, True  # the command refuses to seed with DEBUG off
    call_command("seed_demo", premises=40, verbosity=0)
    settings.DEBUG = debug
    home = Premises.objects.filter(grid__code=HOME_GRID).order_by("pk")
    premises = home.filter(hazards__isnull=False).first() or home.first()
    hazard = Hazard.objects.filter(premises__grid__code=HOME_GRID).order_by("pk").first()
    reported = Hazard.objects.filter(status="reported", premises__grid__code=HOME_GRID).first()
    superuser = User.objects.create_superuser("root", "root@example.com", DEMO_PASSWORD)
    return {
        "premises": premises,
        "hazard": hazard,
        "reported": reported or hazard,
        "enforced": EnforcementAction.objects.order_by("pk").first(),
        "inspection": Inspection.objects.filter(premises=premises).first(),
        "notice": RectificationNotice.objects.order_by("pk").first(),
        "registry_user": User.objects.get(username="officer"),
        "superuser": superuser,
    }


def pages_for(role: str, demo: dict) -> list[str]:
    p, h = demo["premises"].pk, demo["hazard"].pk
    if role == "officer":
        pages = [
            reverse("home"),
            reverse("inspections:premises_list"),
            reverse("inspections:premises_detail", args=[p]),
            reverse("inspections:inspection_new", args=[p]),
            reverse("inspections:premises_label", args=[p]),
            reverse("hazards:hazard_detail", args=[h]),
            reverse("hazards:ledger"),
            reverse("notifications:inbox"),
            reverse("inspections:outbox"),
            reverse("inspections:offline_shell"),
        ]
        if demo["inspection"]:
            pages.append(reverse("inspections:inspection_detail", args=[demo["inspection"].pk]))
        if demo["notice"]:
            pages.append(reverse("hazards:notice_detail", args=[demo["notice"].pk]))
        return pages
    if role == "leader":
        return [
            reverse("home"),
            reverse("dashboard:index"),
            reverse("enforcement:offender_list"),
            reverse("hazards:hazard_detail", args=[demo["reported"].pk]),
            reverse("accidents:accident_list"),
        ]
    if role == "department":
        pages = [reverse("home"), reverse("dashboard:index"), reverse("hazards:ledger")]
        if demo["enforced"] and demo["enforced"].hazard_id:
            pages.append(reverse("hazards:hazard_detail", args=[demo["enforced"].hazard_id]))
        return pages
    if role == "office":
        return [
            reverse("home"),
            reverse("dashboard:index"),
            reverse("dashboard:report"),
            reverse("dashboard:inspection_list"),
            reverse("dashboard:premises_list"),
            reverse("accidents:accident_list"),
            reverse("accidents:accident_new"),
            reverse("enforcement:offender_list"),
            reverse("hazards:ledger"),
            reverse("enforcement:enforcement_new", args=[h]),
        ]
    if role == "registry":
        user = demo["registry_user"].pk
        return [
            reverse("premises:list"),
            reverse("premises:detail", args=[p]),
            reverse("premises:edit", args=[p]),
            reverse("premises:move", args=[p]),
            reverse("premises:history", args=[p]),
            reverse("premises:create"),
            reverse("premises:import"),
            reverse("premises:labels"),
            reverse("premises:grids:index"),
            reverse("premises:grids:user_list"),
            reverse("premises:grids:user_edit", args=[user]),
            reverse("premises:grids:user_assignments", args=[user]),
            reverse("premises:grids:grid_create"),
        ]
    # The Django admin, as a superuser.
    return [
        reverse("admin:index"),
        reverse("admin:premises_premises_changelist"),
        reverse("admin:premises_premises_change", args=[p]),
        reverse("admin:hazards_hazard_change", args=[h]),
        reverse("admin:accounts_user_change", args=[demo["registry_user"].pk]),
    ]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}{reverse('accounts:login')}?next={quote('/')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(f"{base}/**")


def violations_on(page, base: str, paths: list[str], console: list[str]) -> dict[str, list]:
    """Violations per path: the page's own record and Chromium's console messages."""
    found = {}
    for path in paths:
        console.clear()
        response = page.goto(f"{base}{path}", wait_until="load")
        assert response is not None and response.status == 200, f"{path}: {response.status}"
        page.wait_for_timeout(150)  # let deferred scripts and the chart run
        problems = page.evaluate("window.__csp") + console
        if problems:
            found[path] = sorted(set(problems))
    return found


ROLES = ["anonymous", "officer", "leader", "department", "office", "registry", "root"]


def test_no_page_breaks_a_rule_of_the_content_security_policy(live_server, demo, desktop_page):
    """One demo town for all the roles (seeding it is the slow part); each role signs in afresh."""
    page = desktop_page
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    found = {}
    for role in ROLES:
        page.context.clear_cookies()
        if role == "anonymous":
            paths = [reverse("accounts:login")]
        else:
            sign_in(page, live_server.url, role)
            paths = pages_for(role, demo)
        for path, problems in violations_on(page, live_server.url, paths, console).items():
            found[f"{role} {path}"] = problems

    assert not found, f"Content Security Policy violations: {found}"
