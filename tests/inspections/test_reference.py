"""The reference-data loader is idempotent and puts back what was changed by hand."""

import pytest
from django.core.management import call_command

from grids.models import Department
from inspections.models import ChecklistItem
from inspections.reference import load_reference
from premises.models import BusinessType, Tag

pytestmark = pytest.mark.django_db

COUNTS = {"departments": 4, "business types": 18, "tags": 6, "checklist items": 38}


def test_first_run_creates_every_row():
    summary = load_reference()

    assert {label: counts["created"] for label, counts in summary.items()} == COUNTS
    assert Department.objects.count() == 4
    assert BusinessType.objects.count() == 18
    assert Tag.objects.count() == 6
    assert ChecklistItem.objects.count() == 38


def test_second_run_creates_and_updates_nothing():
    load_reference()

    summary = load_reference()

    assert summary == {
        label: {"created": 0, "updated": 0, "unchanged": count} for label, count in COUNTS.items()
    }


def test_text_changed_in_the_database_is_restored():
    load_reference()
    ChecklistItem.objects.filter(code="FF-01").update(text_zh="被改过的文字")
    Tag.objects.filter(code="SANHEYI").update(raises_risk=False)

    summary = load_reference()

    assert summary["checklist items"]["updated"] == 1
    assert summary["tags"]["updated"] == 1
    assert ChecklistItem.objects.get(code="FF-01").text_zh != "被改过的文字"
    assert Tag.objects.get(code="SANHEYI").raises_risk


def test_applicability_changed_in_the_database_is_restored():
    load_reference()
    item = ChecklistItem.objects.get(code="FF-03")
    item.tags.clear()

    summary = load_reference()

    assert summary["checklist items"]["updated"] == 1
    assert item.tags.filter(code="SANHEYI").exists()


def test_smoke_alarm_item_applies_to_hotels_and_mixed_use_premises():
    load_reference()

    item = ChecklistItem.objects.get(code="FF-03")

    assert item.business_types.filter(code="HOTEL").exists()
    assert item.tags.filter(code="SANHEYI").exists()
    assert not item.applies_to_all


def test_business_types_name_their_supervising_department():
    load_reference()

    assert BusinessType.objects.get(code="HOTEL").department.code == "ZHIAN"
    assert not BusinessType.objects.filter(department=None).exists()


def test_management_command_reports_what_it_did(capsys):
    call_command("load_reference")
    call_command("load_reference")

    out = capsys.readouterr().out
    assert "checklist items: 38 created, 0 updated, 0 unchanged" in out
    assert "checklist items: 0 created, 0 updated, 38 unchanged" in out
