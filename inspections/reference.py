"""Reference data shipped with the project (inspections/reference/*.csv) and its idempotent
loader."""

import csv
from pathlib import Path

from django.db import transaction

from grids.models import Department
from inspections.models import ChecklistItem
from premises.models import BusinessType, Tag

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def read_rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _upsert(model, code: str, values: dict) -> str:
    """Create or update by code; return "created", "updated" or "unchanged"."""
    obj = model.objects.filter(code=code).first()
    if obj is None:
        model.objects.create(code=code, **values)
        return "created"
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if not changed:
        return "unchanged"
    for field in changed:
        setattr(obj, field, values[field])
    obj.save(update_fields=[*changed, "updated_at"])
    return "updated"


def load_departments() -> list[str]:
    return [
        _upsert(
            Department,
            row["code"],
            {"name": row["name_zh"], "name_en": row["name_en"], "duty": row["role_zh"]},
        )
        for row in read_rows("departments.csv")
    ]


def load_business_types() -> list[str]:
    departments = {d.code: d for d in Department.objects.all()}
    return [
        _upsert(
            BusinessType,
            row["code"],
            {
                "group": row["group"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "size_limit": row["size_limit_zh"],
                "base_risk": row["base_risk"],
                "department": departments.get(row["department"]),
            },
        )
        for row in read_rows("business_types.csv")
    ]


def load_tags() -> list[str]:
    return [
        _upsert(
            Tag,
            row["code"],
            {
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "raises_risk": row["raises_risk"] == "yes",
            },
        )
        for row in read_rows("tags.csv")
    ]


def _split_applies_to(text: str) -> tuple[bool, set[str], set[str]]:
    parts = {part.strip() for part in text.split("|") if part.strip()}
    tags = {part.removeprefix("tag:") for part in parts if part.startswith("tag:")}
    types = {part for part in parts if not part.startswith("tag:") and part != "ALL"}
    return "ALL" in parts, types, tags


def load_checklist() -> list[str]:
    types = {t.code: t for t in BusinessType.objects.all()}
    tags = {t.code: t for t in Tag.objects.all()}
    results = []
    for row in read_rows("checklist.csv"):
        applies_to_all, type_codes, tag_codes = _split_applies_to(row["applies_to"])
        result = _upsert(
            ChecklistItem,
            row["code"],
            {
                "category": row["category"],
                "text_zh": row["text_zh"],
                "text_en": row["text_en"],
                "applies_to_all": applies_to_all,
                "severity": row["severity"],
                "major_when_zh": row["major_when_zh"],
                "major_when_en": row["major_when_en"],
                "default_days": int(row["default_days"]),
                "fix_on_spot": row["fix_on_spot"] == "yes",
            },
        )
        item = ChecklistItem.objects.get(code=row["code"])
        wanted_types = {types[code] for code in type_codes}
        wanted_tags = {tags[code] for code in tag_codes}
        if set(item.business_types.all()) != wanted_types or set(item.tags.all()) != wanted_tags:
            item.business_types.set(wanted_types)
            item.tags.set(wanted_tags)
            result = "updated" if result == "unchanged" else result
        results.append(result)
    return results


@transaction.atomic
def load_reference() -> dict[str, dict[str, int]]:
    """Load every reference list; running it twice changes nothing. All or nothing."""
    summary = {}
    for label, loader in (
        ("departments", load_departments),
        ("business types", load_business_types),
        ("tags", load_tags),
        ("checklist items", load_checklist),
    ):
        results = loader()
        summary[label] = {word: results.count(word) for word in ("created", "updated", "unchanged")}
    return summary
