"""The county generator (bench/county) at a tiny scale: what it loads is consistent with the app's
own rules. PostgreSQL only (it loads with COPY); on SQLite only the refusal is tested."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Max, Min

from bench.county import CountyError, Size, generate_county
from bench.generate_county import main as county_command
from hazards import reminders, workflow
from hazards.models import (
    Category,
    Hazard,
    HazardEvent,
    LedgerSequence,
    RectificationNotice,
    Severity,
)
from inspections.models import Inspection
from premises.models import Premises
from premises.services import recompute_risk

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.postgresql  # the county generator loads with COPY
SCALE = 0.003  # 1 town, 1 village, 4 grids, 300 premises, ~3,000 visits, ~900 hazards
NOW = datetime.fromisoformat("2026-11-20T10:00:00+08:00")


@pytest.fixture
def county():
    return generate_county(scale=SCALE, seed=7, now=NOW, log=lambda message: None)


@pytest.mark.sqlite  # the refusal is for SQLite
def test_refuses_sqlite(capsys):
    assert county_command(["--scale", "0.001"]) == 1

    assert "PostgreSQL" in capsys.readouterr().err


@on_postgresql
def test_loads_the_counts_of_its_scale(county):
    size = Size.of(SCALE, 3)
    assert Premises.objects.count() == size.premises
    assert abs(Inspection.objects.count() - size.inspections) < 0.05 * size.inspections
    assert abs(Hazard.objects.count() - size.hazards) < 0.15 * size.hazards
    assert county["users"] >= size.grids + size.villages


@on_postgresql
def test_hazards_have_a_realistic_mix_and_their_whole_trail(county):
    total = Hazard.objects.count()
    closed = Hazard.objects.filter(status=Hazard.Status.CLOSED).count()
    assert 0.85 < closed / total < 0.97
    assert Hazard.objects.filter(status__in=("reported", "rectifying", "submitted")).exists()
    assert Hazard.objects.filter(severity=Severity.MAJOR).exists()
    first = HazardEvent.objects.order_by().values("hazard").annotate(at=Min("at"), n=Count("pk"))
    assert first.count() == total  # every hazard has events…
    reports = HazardEvent.objects.filter(action=HazardEvent.Action.REPORT)
    assert reports.count() == total  # …starting with exactly one report, at the finding
    for hazard in Hazard.objects.filter(status=Hazard.Status.CLOSED)[:50]:
        last = hazard.events.order_by("at", "pk").last()
        assert last.to_status == Hazard.Status.CLOSED or last.action in ("escalate", "enforce")
        assert hazard.closed_at == max(e.at for e in hazard.events.filter(action="accept"))


@on_postgresql
def test_the_database_constraints_hold(county):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign keys, checked now


@on_postgresql
def test_premises_derived_fields_agree_with_the_history(county):
    """Risk colour and next patrol as the app computes them: nothing to change."""
    checked, changed = recompute_risk(today=NOW.date())
    assert checked == Premises.objects.count()
    assert changed == 0
    for premises in Premises.objects.filter(last_inspected_at__isnull=False)[:50]:
        last = premises.inspections.aggregate(last=Max("visited_at"))["last"]
        assert premises.last_inspected_at == last


@on_postgresql
def test_the_sweep_left_for_today_only_what_falls_due_today(county):
    """Escalations up to yesterday are in the data (a daily sweep ran): nothing open is behind
    its ladder as of yesterday."""
    yesterday = NOW.date() - timedelta(days=1)
    for hazard in reminders.overdue(yesterday):
        assert hazard.escalation_level >= reminders.escalation_level_due(hazard, yesterday)


@on_postgresql
def test_ledger_and_notice_numbers_continue_from_the_sequences(county, django_user_model):
    for prefix, model, field in (
        ("YH", Hazard, "ledger_number"),
        ("ZG", RectificationNotice, "number"),
    ):
        for sequence in LedgerSequence.objects.filter(prefix=prefix):
            numbers = model.objects.filter(**{f"{field}__startswith": f"{prefix}-{sequence.year}-"})
            assert numbers.count() == sequence.last
    premises = Premises.objects.filter(status=Premises.Status.OPERATING).first()
    officer = django_user_model.objects.get(pk=premises.grid.officers.values("pk")[:1])
    hazard = workflow.report(
        premises,
        by=officer,
        category=Category.ELEC,
        description="新发现",
        severity=Severity.GENERAL,
    )
    year = hazard.reported_at.year
    assert (
        hazard.ledger_number
        == f"YH-{year}-{LedgerSequence.objects.get(prefix='YH', year=year).last:06d}"
    )


@on_postgresql
def test_refuses_a_database_with_premises_unless_forced(county):
    with pytest.raises(CountyError, match="--force"):
        generate_county(scale=SCALE, seed=8, now=NOW, log=lambda message: None)
    second = generate_county(scale=SCALE, seed=8, now=NOW, force=True, log=lambda m: None)
    assert second["tag"] == "C2"
    assert Premises.objects.count() == 2 * Size.of(SCALE, 3).premises
