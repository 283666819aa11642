"""The enforcement actions move here from the hazards app, keeping their tables, rows and table names
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
        ("hazards", "0010_models_moved_out"),
        ("grids", "0002_webhook_public_address"),
        ("premises", "0004_trigram_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (hazards/migrations/0001_initial.py and later):
            # only Django's picture of them moves here.
            state_operations=[
                migrations.CreateModel(
                    name="EnforcementAction",
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
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("interview", "Formal interview"),
                                    ("fine", "Fine"),
                                    ("suspend", "Suspension of business"),
                                    ("seal", "Sealing or seizure"),
                                    ("media", "Public exposure in the media"),
                                ],
                                max_length=10,
                                verbose_name="kind",
                            ),
                        ),
                        ("decided_on", models.DateField(verbose_name="decided on")),
                        (
                            "lifted_on",
                            models.DateField(blank=True, null=True, verbose_name="lifted on"),
                        ),
                        (
                            "fine_amount",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=12,
                                null=True,
                                verbose_name="fine (yuan)",
                            ),
                        ),
                        (
                            "note",
                            config.inputs.LimitedTextField(
                                blank=True, max_length=2000, verbose_name="note"
                            ),
                        ),
                        (
                            "department",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="enforcement_actions",
                                to="grids.department",
                                verbose_name="department",
                            ),
                        ),
                        (
                            "hazard",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="enforcement_actions",
                                to="hazards.hazard",
                                verbose_name="hazard",
                            ),
                        ),
                        (
                            "premises",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="enforcement_actions",
                                to="premises.premises",
                                verbose_name="premises",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="recorded by",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "enforcement action",
                        "verbose_name_plural": "enforcement actions",
                        "db_table": "hazards_enforcementaction",
                        "ordering": ["-decided_on", "-pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("lifted_on__isnull", True),
                                    ("lifted_on__gte", models.F("decided_on")),
                                    _connector="OR",
                                ),
                                name="hazards_enforcement_lifted_after_decided",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("fine_amount__isnull", True),
                                    ("fine_amount__gt", 0),
                                    _connector="OR",
                                ),
                                name="hazards_enforcement_fine_positive",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
