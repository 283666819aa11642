"""A year of visits and hazards, planned in Python before anything is written."""

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from demo.cast import Demo, HazardPlan, Site, Visit
from demo.words import (
    DISMISS_REASONS,
    HAZARD_VISIT_RATE,
    HISTORY_DAYS,
    HOURS,
    ITEM_WEIGHT,
    LOCATIONS,
    RECURRENCE_DAYS,
    RECURRENCE_RATE,
    REJECT_REASONS,
    REQUIREMENTS,
    SCENARIOS,
    SUBMIT_NOTES,
)
from hazards.models import HazardPhoto, Severity
from inspections.models import ChecklistItem, Inspection
from premises.models import Premises, Tag
from premises.risk import RiskLevel, compute_risk

# --- a year of visits and hazards, planned first -------------------------------------------------


def _static_colour(site: Site, raising: set[str]) -> str:
    premises = site.premises
    return compute_risk(
        base=premises.business_type.base_risk,
        raising_tags=site.tag_codes & raising,
        over_size_limit=premises.over_size_limit,
        has_overdue_hazard=False,
        has_open_major_hazard=False,
    )


def _visits_in_month(rng: random.Random, colour: str) -> int:
    if colour == RiskLevel.RED:
        return rng.randint(2, 3)
    if colour == RiskLevel.ORANGE:
        return rng.randint(1, 3)
    if colour == RiskLevel.YELLOW:
        return rng.choice((0, 1, 1, 2))
    return int(rng.random() < 0.3)


def _visit_times(demo: Demo, site: Site, colour: str) -> list[datetime]:
    times, latest = [], demo.now - timedelta(hours=1)
    for month in range(12):
        for _ in range(_visits_in_month(demo.rng, colour)):
            day = demo.today - timedelta(days=30 * month + demo.rng.randrange(30))
            at = demo.at_day(day, demo.rng.randint(8, 17))
            # An hour's margin: the hazards found on the visit are filed minutes after it.
            if site.registered <= day < (site.until or date.max) and at < latest:
                times.append(at)
    return sorted(times)


def plan_history(demo: Demo, sites: list[Site]) -> list[Visit]:
    rng = demo.rng
    raising = set(Tag.objects.filter(raises_risk=True).values_list("code", flat=True))
    items = list(
        ChecklistItem.objects.filter(active=True).prefetch_related("business_types", "tags")
    )
    items.sort(key=lambda item: item.code)
    scopes = {
        item.pk: ({t.code for t in item.business_types.all()}, {t.code for t in item.tags.all()})
        for item in items
    }
    visits = []
    for site in sites:
        premises = site.premises
        applicable = [
            item
            for item in items
            if item.applies_to_all
            or premises.business_type.code in scopes[item.pk][0]
            or site.tag_codes & scopes[item.pk][1]
        ]
        may_find = not site.scenario and site.until is None
        for at in _visit_times(demo, site, _static_colour(site, raising)):
            visit = _new_visit(demo, site, at)
            if may_find and rng.random() < HAZARD_VISIT_RATE:
                visit.inspector = _reporter(demo, premises)
                for n in range(rng.choices((1, 2, 3), (75, 20, 5))[0]):
                    found_at = at + timedelta(minutes=3 * (n + 1))
                    plan = _plan_hazard(demo, site, applicable, visit.inspector, found_at)
                    visit.hazards.append(plan)
            visits.append(visit)
    visits += _scenario_visits(demo, [s for s in sites if s.scenario])
    found = sum(len(v.hazards) for v in visits)
    demo.stage(f"Planned {len(visits)} visits over {HISTORY_DAYS} days, {found} of them hazards.")
    return visits


def _new_visit(demo: Demo, site: Site, at: datetime) -> Visit:
    rng, premises = demo.rng, site.premises
    roll = rng.random()
    if roll < 0.04:  # joint inspection with the supervising department or the safety office
        members = demo.members_of.get(premises.business_type.department_id) or []
        return Visit(site, at, rng.choice(members + [demo.users["office"]]), Inspection.Kind.JOINT)
    kind = (
        Inspection.Kind.CAMPAIGN if at.month in (1, 6) and roll < 0.5 else Inspection.Kind.ROUTINE
    )
    return Visit(site, at, demo.officer_of[premises.grid_id], kind)


def _reporter(demo: Demo, premises: Premises) -> User:
    if demo.rng.random() < 0.1:
        return demo.leader_of[premises.grid.village_id]
    return demo.officer_of[premises.grid_id]


def _pick_item(demo: Demo, site: Site, applicable: list[ChecklistItem], at: datetime):
    """An item not open at this premises; one closed lately only now and then (死灰复燃)."""
    busy = {h.item.pk for h in site.history if h.ends_at is None or h.ends_at > at}
    recent = {
        h.item.pk: h.item
        for h in site.history
        if h.closed_at and at - timedelta(days=RECURRENCE_DAYS) <= h.closed_at < at
    }
    recent = [item for pk, item in recent.items() if pk not in busy]
    if recent and demo.rng.random() < RECURRENCE_RATE:
        return demo.rng.choice(recent)
    free = [item for item in applicable if item.pk not in busy and item not in recent] or [
        item for item in applicable if item.pk not in busy
    ]
    if not free:  # everything that applies is open already: a duplicate beats nothing
        free = applicable
    weights = [ITEM_WEIGHT[item.severity] * (1.5 if item.fix_on_spot else 1) for item in free]
    return demo.rng.choices(free, weights)[0]


def _plan_hazard(demo, site, applicable, reporter, found_at) -> HazardPlan:
    rng = demo.rng
    item = _pick_item(demo, site, applicable, found_at)
    major = item.severity == "major" or (item.severity == "conditional" and rng.random() < 0.05)
    severity = Severity.MAJOR if major else Severity.GENERAL
    days = item.default_days or (30 if major else 3)
    plan = HazardPlan(
        item=item,
        severity=severity,
        found_at=found_at,
        reporter=reporter,
        deadline=timezone.localdate(found_at) + timedelta(days=days),
        location=rng.choice(LOCATIONS.get(item.category, "").split() or [""]),
    )
    _plan_lifecycle(demo, site, plan)
    if sum(step[0] == "photo" for step in plan.steps) < 2 and rng.random() < 0.3:
        finding = {"stage": HazardPhoto.Stage.FINDING, "by": reporter}
        plan.steps.insert(0, ("photo", found_at + timedelta(minutes=1), finding))
    site.history.append(plan)
    return plan


def _plan_lifecycle(demo: Demo, site: Site, plan: HazardPlan) -> None:
    """The hazard's path from its report up to now, as a real one goes (docs/workflow.md)."""
    rng, now, premises = demo.rng, demo.now, site.premises
    officer = demo.officer_of[premises.grid_id]
    leader = demo.leader_of[premises.grid.village_id]
    office = demo.users["office"]
    steps, t = plan.steps, plan.found_at
    if plan.severity == Severity.GENERAL and plan.item.fix_on_spot and rng.random() < 0.7:
        _close_on_spot(plan)
        return
    manager = leader if rng.random() < 0.9 else office
    t += timedelta(hours=rng.uniform(1, 4)) if rng.random() < 0.6 else timedelta(days=1)
    if t > now:
        return  # waiting for verification
    if rng.random() < 0.04:
        steps.append(("dismiss", t, {"by": manager, "reason": rng.choice(DISMISS_REASONS)}))
        plan.ends_at = t
        return
    steps.append(("verify", t, {"by": manager, "plan": _treatment_plan(demo, plan, premises)}))
    deadline = plan.deadline
    old = now - plan.found_at > timedelta(days=90)
    if rng.random() < (0.01 if old else 0.06):  # the operator drags their feet
        escalate_at = demo.at_day(deadline + timedelta(days=10))
        if escalate_at < now and rng.random() < 0.5:
            note = "逾期未整改，移交执安办联合执法"
            kwargs = {"by": office, "department": demo.zhian, "note": note}
            steps.append(("escalate", escalate_at, kwargs))
        return
    for attempt in range(2):
        if attempt == 0 and plan.severity == Severity.GENERAL and rng.random() < 0.06:
            extend_at = demo.at_day(deadline - timedelta(days=1))
            if t < extend_at < now:
                new = deadline + timedelta(days=rng.randint(7, 14))
                reason = "经营者申请延期：需采购设备、等待施工"
                steps.append(
                    ("extend", extend_at, {"by": manager, "rectify_by": new, "reason": reason})
                )
                deadline, t = new, extend_at
        span = max((deadline - timezone.localdate(t)).days, 1)
        fixed_on = timezone.localdate(t) + timedelta(
            days=max(1, round(span * rng.uniform(0.3, 1.25)))
        )
        fixed_at = demo.at_day(fixed_on)
        if fixed_at > now:
            return  # being rectified
        _add_fix(plan, officer, fixed_at, rng.choice(SUBMIT_NOTES))
        reviewed_at = demo.at_day(fixed_on + timedelta(days=rng.randint(1, 3)))
        if reviewed_at > now:
            return  # waiting for review
        reviewer = _reviewer(demo, plan, premises)
        if attempt == 0 and rng.random() < 0.1:
            deadline = timezone.localdate(reviewed_at) + timedelta(days=rng.randint(3, 7))
            kwargs = {"by": reviewer, "reason": rng.choice(REJECT_REASONS), "rectify_by": deadline}
            steps.append(("reject", reviewed_at, kwargs))
            t = reviewed_at
            continue
        steps.append(("accept", reviewed_at, {"by": reviewer, "note": "复查合格，予以销号"}))
        plan.closed_at = plan.ends_at = reviewed_at
        return


def _close_on_spot(plan: HazardPlan, *, note: str = "现场立即整改到位") -> None:
    photo = {"stage": HazardPhoto.Stage.RECTIFICATION, "by": plan.reporter}
    plan.steps.append(("photo", plan.found_at + timedelta(minutes=5), photo))
    closed_at = plan.found_at + timedelta(minutes=8)
    plan.steps.append(("close_on_spot", closed_at, {"by": plan.reporter, "note": note}))
    plan.closed_at = plan.ends_at = closed_at


def _add_fix(plan: HazardPlan, officer: User, at: datetime, note: str) -> None:
    photo = {"stage": HazardPhoto.Stage.RECTIFICATION, "by": officer}
    plan.steps.append(("photo", at - timedelta(minutes=20), photo))
    plan.steps.append(("submit_fix", at, {"by": officer, "note": note}))


def _reviewer(demo: Demo, plan: HazardPlan, premises: Premises) -> User:
    """General: the village leader (now and then the office); major: office or department."""
    if plan.severity == Severity.MAJOR:
        members = demo.members_of.get(premises.business_type.department_id) or []
        return demo.rng.choice(members + [demo.users["office"]])
    if demo.rng.random() < 0.85:
        return demo.leader_of[premises.grid.village_id]
    return demo.users["office"]


def _treatment_plan(demo: Demo, plan: HazardPlan, premises: Premises) -> dict:
    if plan.severity != Severity.MAJOR:
        return {}
    return {
        "plan_measures": f"{REQUIREMENTS[plan.item.category]}；委托有资质单位施工并留存记录",
        "plan_funds": Decimal(demo.rng.choice([3000, 5000, 8000, 12000, 20000, 35000])),
        "plan_responsible": premises.operator_name or "经营者",
        "plan_deadline": plan.deadline,
        "interim_measures": "整改期间停用相关区域，设置警示标识，增配灭火器，专人值守",
        "emergency_plan": "制定专项应急处置预案，明确报警、疏散路线和责任人，每周检查一次",
    }


def _scenario_visits(demo: Demo, sites: list[Site]) -> list[Visit]:
    """The officer's grid: the scripted recent history of SCENARIOS."""
    items = {item.code: item for item in ChecklistItem.objects.all()}
    officer = demo.users["officer"]
    visits = []
    for slot, code, found_ago, actions in SCENARIOS:
        site, item = sites[slot], items[code]
        visit = Visit(site, demo.at_day(demo.today - timedelta(days=found_ago), 9, 50), officer)
        major = item.severity == "major"
        plan = HazardPlan(
            item=item,
            severity=Severity.MAJOR if major else Severity.GENERAL,
            found_at=visit.at + timedelta(minutes=3),
            reporter=officer,
            deadline=timezone.localdate(visit.at)
            + timedelta(days=30 if major else item.default_days),
            location=demo.rng.choice(LOCATIONS.get(item.category, "").split() or [""]),
        )
        for action, ago, rectify_in in actions:
            at = demo.at_day(demo.today - timedelta(days=ago), HOURS.get(action), 0)
            if action == "close_on_spot":
                _close_on_spot(plan)
            elif action == "submit_fix":
                _add_fix(plan, officer, at, SUBMIT_NOTES[0])
            else:
                kwargs = _scenario_kwargs(demo, plan, site.premises, action)
                if rectify_in is not None:
                    kwargs["rectify_by"] = demo.today + timedelta(days=rectify_in)
                plan.steps.append((action, at, kwargs))
                if action == "accept":
                    plan.closed_at = plan.ends_at = at
        visit.hazards.append(plan)
        site.history.append(plan)
        visits.append(visit)
    return visits


def _scenario_kwargs(demo: Demo, plan: HazardPlan, premises: Premises, action: str) -> dict:
    """The demo leader manages and reviews; a major fix is accepted by 执安's `department`."""
    by = demo.users["leader"]
    if action == "accept" and plan.severity == Severity.MAJOR:
        zhian = premises.business_type.department_id == demo.zhian.pk
        by = demo.users["department"] if zhian else demo.users["office"]
    if action == "verify":
        return {"by": by, "plan": _treatment_plan(demo, plan, premises)}
    if action == "dismiss":
        return {"by": by, "reason": DISMISS_REASONS[2]}
    if action == "reject":
        return {"by": by, "reason": REJECT_REASONS[0]}
    if action == "extend":
        return {"by": by, "reason": "需组织全员疏散演练，经营者申请延期"}
    if action == "escalate":
        return {"by": by, "department": demo.zhian, "note": "逾期未整改，移交执安办联合执法"}
    return {"by": by, "note": "复查合格，予以销号"}
