"""The checklist items and the visits (inspections) move here from the hazards app, keeping their tables, rows and table names
(`db_table`; docs/decisions.md, Apps cut by what people do): a state-only CreateModel, so
migrating changes no table. Their content types and permissions follow in
accounts/migrations/0004_moved_models.py."""

import config.inputs
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # After every hazards migration that made or changed these tables.
        ("hazards", "0009_trigram_search"),
        ("premises", "0004_trigram_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (hazards/migrations/0001_initial.py and later):
            # only Django's picture of them moves here.
            state_operations=[
                migrations.CreateModel(
                    name="ChecklistItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        ("code", models.CharField(max_length=20, unique=True, verbose_name="code")),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("FIRE_FAC", "Fire-fighting equipment"),
                                    ("EVAC", "Evacuation"),
                                    ("MIXED", "Mixed use and lodging"),
                                    ("ELEC", "Electrical"),
                                    ("GAS", "Gas"),
                                    ("FLAM", "Flammable materials"),
                                    ("BUILD", "Building and decoration"),
                                    ("MGMT", "Safety management"),
                                    ("OTHER", "Other"),
                                ],
                                max_length=10,
                                verbose_name="category",
                            ),
                        ),
                        (
                            "text_zh",
                            config.inputs.LimitedTextField(
                                max_length=1000, verbose_name="Chinese text"
                            ),
                        ),
                        (
                            "text_en",
                            config.inputs.LimitedTextField(
                                blank=True, max_length=1000, verbose_name="English text"
                            ),
                        ),
                        (
                            "applies_to_all",
                            models.BooleanField(
                                default=False, verbose_name="applies to every premises"
                            ),
                        ),
                        (
                            "severity",
                            models.CharField(
                                choices=[
                                    ("general", "General"),
                                    ("major", "Major"),
                                    ("conditional", "Major when the condition holds"),
                                ],
                                max_length=12,
                                verbose_name="severity when failed",
                            ),
                        ),
                        (
                            "major_when_zh",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="major when (Chinese)"
                            ),
                        ),
                        (
                            "major_when_en",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="major when (English)"
                            ),
                        ),
                        (
                            "default_days",
                            models.PositiveSmallIntegerField(
                                verbose_name="default rectification days"
                            ),
                        ),
                        (
                            "fix_on_spot",
                            models.BooleanField(
                                default=False, verbose_name="usually fixed on the spot"
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "business_types",
                            models.ManyToManyField(
                                blank=True,
                                related_name="checklist_items",
                                to="premises.businesstype",
                                verbose_name="business types",
                            ),
                        ),
                        (
                            "tags",
                            models.ManyToManyField(
                                blank=True,
                                related_name="checklist_items",
                                to="premises.tag",
                                verbose_name="tags",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "checklist item",
                        "verbose_name_plural": "checklist items",
                        "db_table": "hazards_checklistitem",
                        "ordering": ["code"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("severity", "conditional"), _negated=True),
                                    models.Q(("major_when_zh", ""), _negated=True),
                                    _connector="OR",
                                ),
                                name="hazards_checklistitem_conditional_states_condition",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("default_days__lte", 365)),
                                name="hazards_checklistitem_default_days_within_a_year",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Inspection",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created at"),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="updated at"),
                        ),
                        ("visited_at", models.DateTimeField(verbose_name="visited at")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("routine", "Routine patrol"),
                                    ("review", "Review"),
                                    ("joint", "Joint inspection"),
                                    ("campaign", "Campaign"),
                                ],
                                default="routine",
                                max_length=10,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "outcome",
                            models.CharField(
                                choices=[
                                    ("no_hazard", "No hazard"),
                                    ("hazards_found", "Hazards found"),
                                ],
                                max_length=14,
                                verbose_name="outcome",
                            ),
                        ),
                        (
                            "notes",
                            config.inputs.LimitedTextField(
                                blank=True, max_length=2000, verbose_name="notes"
                            ),
                        ),
                        (
                            "latitude",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                max_digits=9,
                                null=True,
                                verbose_name="latitude",
                            ),
                        ),
                        (
                            "longitude",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                max_digits=9,
                                null=True,
                                verbose_name="longitude",
                            ),
                        ),
                        (
                            "idempotency_key",
                            models.UUIDField(unique=True, verbose_name="idempotency key"),
                        ),
                        (
                            "inspector",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="inspections",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="inspector",
                            ),
                        ),
                        (
                            "premises",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="inspections",
                                to="premises.premises",
                                verbose_name="premises",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "inspection",
                        "verbose_name_plural": "inspections",
                        "db_table": "hazards_inspection",
                        "ordering": ["-visited_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["premises", "-visited_at"],
                                name="hazards_insp_premises_visited",
                            ),
                            models.Index(fields=["visited_at"], name="hazards_insp_visited"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("latitude__isnull", True),
                                    models.Q(("latitude__gte", -90), ("latitude__lte", 90)),
                                    _connector="OR",
                                ),
                                name="hazards_inspection_latitude_range",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("longitude__isnull", True),
                                    models.Q(("longitude__gte", -180), ("longitude__lte", 180)),
                                    _connector="OR",
                                ),
                                name="hazards_inspection_longitude_range",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
