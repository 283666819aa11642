"""Writing the planned year down through the workflow, and the whole seeding in one go."""

import random
import secrets
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import User
from demo.cast import Demo, Site, Visit, build_town, ensure_demo_logins
from demo.history import plan_history
from demo.registry import build_premises
from demo.words import DEFAULT_PREMISES, DEMO_PASSWORD, LOGINS, QUIET_NOTES, REQUIREMENTS, TOWN_CODE
from grids.models import Grid, Town, Village
from hazards import handoffs, workflow
from hazards.models import OPEN_STATUSES, Hazard, HazardEvent, HazardPhoto, Severity
from hazards.services import refresh_premises_state
from inspections.models import Inspection
from inspections.reference import load_reference
from inspections.services import record_inspection
from notifications.models import Notification
from premises.models import Premises


def seed_demo(
    *, premises: int = DEFAULT_PREMISES, log: Callable[[str], None] = print, now=None
) -> bool:
    """Seed the demo town in one transaction: all of it or nothing. Returns False, having seeded
    nothing, when the town exists already (the package docstring says what then of the logins)."""
    demo = Demo(rng=random.Random(2026), now=now or timezone.now(), log=log)
    with transaction.atomic():
        town = Town.objects.filter(code=TOWN_CODE).first()
        if town is not None:
            # Not even load_reference(): it would undo a town's own edits to its reference lists.
            ensure_demo_logins(town)
            log(f"Demo town {town.name} ({TOWN_CODE}) is already seeded; nothing changed.")
            log(f"The demo logins exist with their roles: {', '.join(LOGINS)}.")
            return False
        load_reference()
        demo.stage("Reference data loaded.")
        town, grids = build_town(demo)
        sites = build_premises(demo, grids, premises)
        visits = plan_history(demo, sites)
        _record_history(demo, visits)
        _finish(demo, town, sites)
    _print_summary(log, town, demo.today)
    return True


# --- writing it down -----------------------------------------------------------------------------


def _record_history(demo: Demo, visits: list[Visit]) -> None:
    quiet = [v for v in visits if not v.hazards]
    Inspection.objects.bulk_create(
        (
            Inspection(
                premises=v.site.premises,
                inspector=v.inspector,
                visited_at=v.at,
                kind=v.kind,
                outcome=Inspection.Outcome.NO_HAZARD,
                notes=demo.rng.choice(QUIET_NOTES) if demo.rng.random() < 0.3 else "",
                idempotency_key=uuid.uuid4(),
            )
            for v in quiet
        ),
        batch_size=500,
    )
    demo.stage(f"{len(quiet)} inspections without findings.")
    # Chronological, so ledger numbers follow the order in which hazards were found.
    finding = sorted((v for v in visits if v.hazards), key=lambda v: v.at)
    for visit in finding:
        _record_finding(demo, visit)
    count = sum(len(v.hazards) for v in finding)
    demo.stage(f"{len(finding)} inspections with findings, {count} hazards through the workflow.")


def _record_finding(demo: Demo, visit: Visit) -> None:
    premises = visit.site.premises
    inspection, _created = record_inspection(
        premises,
        by=visit.inspector,
        outcome=Inspection.Outcome.HAZARDS_FOUND,
        idempotency_key=uuid.uuid4(),
        visited_at=visit.at,
        kind=visit.kind,
        notes=f"发现隐患{len(visit.hazards)}处，已告知经营者并要求整改",
    )
    for plan in visit.hazards:
        item = plan.item
        hazard = workflow.report(
            premises,
            by=plan.reporter,
            category=item.category,
            description=f"{plan.location}：{item.text_zh}" if plan.location else item.text_zh,
            severity=plan.severity,
            inspection=inspection,
            checklist_item=item,
            rectify_by=plan.deadline,
            location=plan.location,
            requirement=REQUIREMENTS.get(item.category, ""),
            at=plan.found_at,
        )
        if not any(action == "close_on_spot" for action, _at, _kwargs in plan.steps):
            handoffs.notify_reported(hazard, by=plan.reporter, at=plan.found_at)  # as filing does
        for action, at, kwargs in plan.steps:
            if action == "photo":
                _add_photo(demo, hazard, at=at, **kwargs)
            else:
                hazard = getattr(workflow, action)(hazard, at=at, **kwargs)


def _add_photo(demo: Demo, hazard: Hazard, *, stage: str, by: User, at: datetime) -> None:
    image, thumbnail = demo.rng.choice(demo.photos)
    name = secrets.token_hex(16)  # random, like an upload's
    photo = HazardPhoto(hazard=hazard, stage=stage, uploaded_by=by)
    photo.image.save(f"{name}.jpg", ContentFile(image), save=False)
    photo.thumbnail.save(f"{name}_t.jpg", ContentFile(thumbnail), save=False)
    photo.save()
    # Back-dated like the hazard, so "a photo taken since the last rejection" holds as it did.
    HazardPhoto.objects.filter(pk=photo.pk).update(created_at=at, updated_at=at)


def _finish(demo: Demo, town: Town, sites: list[Site]) -> None:
    """Timestamps as they would have been written, then colours and patrol dates as of today."""
    in_town = Q(premises__grid__village__town=town)
    latest = Inspection.objects.filter(premises=OuterRef("pk")).order_by("-visited_at")
    Premises.objects.filter(grid__village__town=town).update(
        last_inspected_at=Subquery(latest.values("visited_at")[:1])
    )
    Inspection.objects.filter(in_town).update(
        created_at=F("visited_at"), updated_at=F("visited_at")
    )
    last_event = HazardEvent.objects.filter(hazard=OuterRef("pk")).order_by("-at")
    Hazard.objects.filter(in_town).update(
        created_at=F("reported_at"), updated_at=Subquery(last_event.values("at")[:1])
    )
    for premises in Premises.objects.filter(grid__village__town=town).select_related(
        "business_type", "grid"
    ):
        refresh_premises_state(premises, today=demo.today)
    demo.stage(f"Risk colours and patrol dates of {len(sites)} premises refreshed.")
    # A town in use has read what its steps told it before this week; this week's stay new.
    told = Notification.objects.filter(
        target_type="hazard", target_id__in=Hazard.objects.filter(in_town).values("pk")
    )
    told.filter(day__lt=demo.today - timedelta(days=7)).update(read_at=demo.now)


def _print_summary(log: Callable[[str], None], town: Town, today: date) -> None:
    premises = Premises.objects.filter(grid__village__town=town)
    by_status = dict(premises.values_list("status").annotate(n=Count("pk")).order_by())
    hazards = Hazard.objects.filter(premises__grid__village__town=town)
    counts = hazards.aggregate(
        total=Count("pk"),
        **{s: Count("pk", filter=Q(status=s)) for s in Hazard.Status.values},
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, rectify_by__lt=today)),
        major=Count("pk", filter=Q(severity=Severity.MAJOR)),
        on_spot=Count("pk", filter=Q(fixed_on_spot=True)),
        escalated=Count("pk", filter=Q(escalation_level__gt=0)),
        recurrences=Count("pk", filter=Q(recurrence_of__isnull=False)),
    )
    premises_by_status = ", ".join(f"{s} {by_status.get(s, 0)}" for s in Premises.Status.values)
    hazards_by_status = ", ".join(f"{s} {counts[s]}" for s in Hazard.Status.values)
    log(f"Seeded demo town {town.name} ({town.code}):")
    log(
        f"  villages {Village.objects.filter(town=town).count()}, "
        f"grids {Grid.objects.filter(village__town=town).count()}, "
        f"premises {sum(by_status.values())} ({premises_by_status}), "
        f"inspections {Inspection.objects.filter(premises__in=premises).count()}"
    )
    log(f"  hazards {counts['total']}: {hazards_by_status}")
    log(
        f"  overdue {counts['overdue']}, major {counts['major']}, "
        f"fixed on the spot {counts['on_spot']}, escalated {counts['escalated']}, "
        f"recurrences {counts['recurrences']}, "
        f"photos {HazardPhoto.objects.filter(hazard__in=hazards).count()}"
    )
    log(f"Demo logins (password {DEMO_PASSWORD}): {', '.join(LOGINS)}.")
