"""What is due on a day (docs/workflow.md, Reminders), as queries over the database state, and
the sweep that turns it into digests. The sweep reads state, not events: run late after an
outage, it catches up; run twice, it sends nothing new (one digest per person, kind and day)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from grids.models import Department, Grid, Village
from hazards import workflow
from hazards.calendar import add_working_days
from hazards.models import Hazard, Severity
from hazards.services import purge_stale_drafts
from notifications.delivery import unsent
from notifications.models import Notification
from notifications.services import Item, queue_delivery, send_digest, send_group_message
from premises.models import Premises

S = Hazard.Status
K = Notification.Kind
FIXING = (S.REPORTED, S.RECTIFYING)  # a fix is still owed (a submitted one waits for review)
DUE_SOON_WORKING_DAYS = 2
REVIEW_WORKING_DAYS = 3
INSURANCE_WINDOW_DAYS = 30
# Days overdue at which each escalation level is reached (docs/workflow.md, the ladder).
LADDER = {Severity.GENERAL: (7, 14, 30), Severity.MAJOR: (1, 7, 14)}
ITEMS_PER_DIGEST = 30


# --- what is due ----------------------------------------------------------------------------------


def due_soon(today: date) -> QuerySet:
    last = add_working_days(today, DUE_SOON_WORKING_DAYS)
    return Hazard.objects.filter(status__in=FIXING, rectify_by__gte=today, rectify_by__lte=last)


def overdue(today: date) -> QuerySet:
    return Hazard.objects.filter(status__in=FIXING, rectify_by__lt=today)


def escalation_level_due(hazard: Hazard, today: date) -> int:
    days_late = (today - hazard.rectify_by).days
    return sum(days_late >= threshold for threshold in LADDER[hazard.severity])


def escalation_candidates(today: date) -> QuerySet:
    """Overdue hazards past their first rung not yet at the top of the ladder (a narrow set:
    those already escalated to their level are filtered in Python by escalation_level_due)."""
    rungs = Q()
    for severity, thresholds in LADDER.items():
        rungs |= Q(severity=severity, rectify_by__lte=today - timedelta(days=thresholds[0]))
    top = max(len(t) for t in LADDER.values())
    return overdue(today).filter(rungs, escalation_level__lt=top)


def review_deadline_cutoff(today: date) -> datetime:
    """Fixes submitted before this instant have waited more than 3 working days by today."""
    day = today
    while add_working_days(day, REVIEW_WORKING_DAYS) >= today:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def review_overdue(today: date) -> QuerySet:
    return Hazard.objects.filter(status=S.SUBMITTED, submitted_at__lt=review_deadline_cutoff(today))


def patrol_due(today: date) -> QuerySet:
    return Premises.objects.patrol_due(today)


def commitment_missing() -> QuerySet:
    return Premises.objects.operating().filter(commitment_signed_on__isnull=True)


def insurance_expiring(today: date) -> QuerySet:
    return Premises.objects.operating().filter(
        insurance_expires_on__lte=today + timedelta(days=INSURANCE_WINDOW_DAYS)
    )


# --- who hears about it ---------------------------------------------------------------------------


class People:
    """Membership maps read once per sweep: a query per table, never one per hazard."""

    def __init__(self) -> None:
        User = get_user_model()
        active = User.objects.filter(is_active=True)
        self.users = {u.pk: u for u in active}
        self.grid_officers = _members(Grid.officers.through, "grid_id")
        self.village_leaders = _members(Village.leaders.through, "village_id")
        self.department_members = _members(Department.members.through, "department_id")
        self.office = set(
            active.filter(groups__name=Role.SAFETY_OFFICE).values_list("pk", flat=True)
        )
        self.registry = set(
            active.filter(groups__name=Role.REGISTRY_ADMIN).values_list("pk", flat=True)
        )

    def active(self, ids) -> set[int]:
        return {pk for pk in ids if pk in self.users}


def _members(through, key: str) -> dict[int, set[int]]:
    mapping: dict[int, set[int]] = defaultdict(set)
    for group_id, user_id in through.objects.values_list(key, "user_id"):
        mapping[group_id].add(user_id)
    return mapping


# --- the sweep ------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    day: date
    digests: list[str] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)
    group_messages: list[str] = field(default_factory=list)
    requeued: int = 0
    purged_drafts: int = 0

    def lines(self) -> list[str]:
        return [
            *self.escalations,
            *self.digests,
            *self.group_messages,
            *([f"re-queued {self.requeued} unsent deliveries"] if self.requeued else []),
            *([f"removed {self.purged_drafts} unfiled draft photos"] if self.purged_drafts else []),
        ]


def hazard_item(row: dict, today: date) -> Item:
    late = (today - row["rectify_by"]).days
    when = (
        ngettext("%(days)d day overdue", "%(days)d days overdue", late) % {"days": late}
        if late > 0
        else _("fix by %(day)s") % {"day": row["rectify_by"].isoformat()}
    )
    label = f"{row['ledger_number']} {row['premises__name']}: {row['description'][:40]} ({when})"
    return Item(label=label, url=reverse("hazards:hazard_detail", args=[row["pk"]]))


HAZARD_FIELDS = (
    "pk",
    "ledger_number",
    "description",
    "rectify_by",
    "severity",
    "department_id",
    "premises__name",
    "premises__grid_id",
    "premises__grid__village_id",
)


def _hazard_rows(queryset: QuerySet) -> list[dict]:
    return list(queryset.order_by("rectify_by", "pk").values(*HAZARD_FIELDS))


def _field_people(row: dict, people: People) -> set[int]:
    return people.grid_officers.get(row["premises__grid_id"], set()) | people.village_leaders.get(
        row["premises__grid__village_id"], set()
    )


def _reviewers(row: dict, people: People) -> set[int]:
    if row["severity"] == Severity.MAJOR:
        return people.office | people.department_members.get(row["department_id"], set())
    return people.office | people.village_leaders.get(row["premises__grid__village_id"], set())


def _chain_people(row: dict, people: People) -> set[int]:
    return people.office | people.department_members.get(row["department_id"], set())


def _send_digests(
    report: SweepReport, *, kind: str, items_by_user: dict[int, list[Item]], title, people, link
) -> None:
    for user_id, items in sorted(items_by_user.items()):
        if user_id not in people.users or not items:
            continue
        shown = items[:ITEMS_PER_DIGEST]
        made = send_digest(
            people.users[user_id],
            kind=kind,
            day=report.day,
            title=title(len(items)),
            items=shown,
            link=link,
        )
        if made is not None:
            report.digests.append(f"{kind} → {people.users[user_id].username}: {len(items)} items")


def _hazard_digest(report, *, kind, rows, recipients, title, people, link) -> None:
    items_by_user: dict[int, list[Item]] = defaultdict(list)
    for row in rows:
        item = hazard_item(row, report.day)
        for user_id in recipients(row, people):
            items_by_user[user_id].append(item)
    _send_digests(
        report, kind=kind, items_by_user=items_by_user, title=title, people=people, link=link
    )


def escalate_due(report: SweepReport, *, now: datetime) -> list[dict]:
    """Climb the ladder once per level reached; each step is a system HazardEvent."""
    escalated = set()
    for hazard in escalation_candidates(report.day).select_related("premises"):
        target = escalation_level_due(hazard, report.day)
        while hazard.escalation_level < target:
            before = hazard.escalation_level
            note = _("Overdue by %(days)d days: escalated to level %(level)d.") % {
                "days": (report.day - hazard.rectify_by).days,
                "level": before + 1,
            }
            hazard = workflow.escalate(hazard, by=None, note=note, at=now, level=before + 1)
            if hazard.escalated_at == now:  # this sweep climbed the rung, not a concurrent one
                report.escalations.append(f"escalated {hazard.ledger_number} to {before + 1}")
                escalated.add(hazard.pk)
    return _hazard_rows(Hazard.objects.filter(pk__in=escalated))


def _premises_sample(queryset: QuerySet, per_group: int) -> list[dict]:
    """Up to per_group premises per grid, longest without a visit first: one query."""
    ranked = queryset.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("grid_id")],
            order_by=[F("last_inspected_at").asc(nulls_first=True), F("pk").asc()],
        )
    ).filter(rank__lte=per_group)
    ranked = ranked.order_by(F("last_inspected_at").asc(nulls_first=True), "pk")
    return list(ranked.values("pk", "name", "grid_id", "last_inspected_at"))


def patrol_digests(report: SweepReport, people: People) -> None:
    items_by_user: dict[int, list[Item]] = defaultdict(list)
    for row in _premises_sample(patrol_due(report.day), ITEMS_PER_DIGEST):
        last = row["last_inspected_at"]
        when = timezone.localdate(last).isoformat() if last else _("never inspected")
        url = reverse("inspections:premises_detail", args=[row["pk"]])
        for user_id in people.grid_officers.get(row["grid_id"], set()):
            items_by_user[user_id].append(Item(f"{row['name']} ({when})", url))
    _send_digests(
        report,
        kind=K.PATROL_DUE,
        items_by_user=items_by_user,
        title=lambda n: _("Premises due for a patrol"),
        people=people,
        link=reverse("inspections:premises_list"),
    )


def registry_digests(report: SweepReport, people: People) -> None:
    """Each digest links to the registry list filtered to exactly the premises it counts."""
    registry = reverse("premises:list")
    for kind, queryset, title, link in (
        (
            K.COMMITMENT_MISSING,
            commitment_missing(),
            _("Commitment letters missing: %(n)d"),
            f"{registry}?status=operating&commitment_missing=true",
        ),
        (
            K.INSURANCE_EXPIRING,
            insurance_expiring(report.day),
            _("Liability insurance expired or expiring within 30 days: %(n)d"),
            f"{registry}?status=operating&insurance_expiring=true",
        ),
    ):
        total = queryset.count()
        if not total:
            continue
        sample = queryset.order_by("pk")[:ITEMS_PER_DIGEST].values("pk", "name", "address")
        items = [
            Item(
                f"{row['name']} · {row['address']}",
                reverse("inspections:premises_detail", args=[row["pk"]]),
            )
            for row in sample
        ]
        _send_digests(
            report,
            kind=kind,
            items_by_user=dict.fromkeys(people.registry, items),
            title=lambda _count, text=title % {"n": total}: text,
            people=people,
            link=link,
        )


def wecom_messages(report: SweepReport, overdue_rows: list[dict]) -> None:
    """One message per village group robot per day: that village's overdue hazards."""
    webhooks = dict(
        Village.objects.exclude(wecom_webhook_url="").values_list("pk", "wecom_webhook_url")
    )
    by_village: dict[int, list[Item]] = defaultdict(list)
    for row in overdue_rows:
        if row["premises__grid__village_id"] in webhooks:
            by_village[row["premises__grid__village_id"]].append(hazard_item(row, report.day))
    for village_id, items in by_village.items():
        title = ngettext("%(n)d hazard is overdue", "%(n)d hazards are overdue", len(items)) % {
            "n": len(items)
        }
        if send_group_message(
            key=f"{village_id}:{K.OVERDUE}:{report.day.isoformat()}",
            webhook_url=webhooks[village_id],
            title=title,
            items=items[:ITEMS_PER_DIGEST],
        ):
            report.group_messages.append(f"wecom → village {village_id}: {len(items)} items")


def sweep(*, now: datetime | None = None) -> SweepReport:
    """Run every reminder (docs/workflow.md, Reminders) for the local day of `now`. Idempotent
    per day."""
    now = now or timezone.now()
    report = SweepReport(day=timezone.localdate(now))
    with translation.override(settings.LANGUAGE_CODE):
        people = People()
        escalated = escalate_due(report, now=now)
        overdue_rows = _hazard_rows(overdue(report.day))
        ledger = reverse("hazards:ledger")
        for kind, rows, recipients, title in (
            (K.OVERDUE, overdue_rows, _field_people, _overdue_title),
            (K.DUE_SOON, _hazard_rows(due_soon(report.day)), _field_people, _due_soon_title),
            (K.ESCALATED, escalated, _chain_people, _escalated_title),
            (K.REVIEW_OVERDUE, _hazard_rows(review_overdue(report.day)), _reviewers, _review_title),
        ):
            _hazard_digest(
                report,
                kind=kind,
                rows=rows,
                recipients=recipients,
                title=title,
                people=people,
                link=ledger,
            )
        patrol_digests(report, people)
        registry_digests(report, people)
        wecom_messages(report, overdue_rows)
    report.purged_drafts = purge_stale_drafts(now=now)
    for pk in unsent(now=now).values_list("pk", flat=True):
        queue_delivery(pk)
        report.requeued += 1
    return report


def _overdue_title(n: int) -> str:
    return ngettext("%(n)d hazard overdue", "%(n)d hazards overdue", n) % {"n": n}


def _due_soon_title(n: int) -> str:
    return ngettext(
        "%(n)d hazard due within 2 working days", "%(n)d hazards due within 2 working days", n
    ) % {"n": n}


def _escalated_title(n: int) -> str:
    return ngettext("%(n)d hazard escalated", "%(n)d hazards escalated", n) % {"n": n}


def _review_title(n: int) -> str:
    return ngettext(
        "%(n)d fix waiting for review over 3 working days",
        "%(n)d fixes waiting for review over 3 working days",
        n,
    ) % {"n": n}
