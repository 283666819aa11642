"""The accidents move here from the hazards app, keeping their tables, rows and table names
(`db_table`; docs/decisions.md, Apps cut by what people do): a state-only CreateModel, so
migrating changes no table. Their content types and permissions follow in
accounts/migrations/0004_moved_models.py."""

import config.inputs
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("hazards", "0010_models_moved_out"),
        ("grids", "0002_webhook_public_address"),
        ("premises", "0004_trigram_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (hazards/migrations/0001_initial.py and later):
            # only Django's picture of them moves here.
            state_operations=[
                migrations.CreateModel(
                    name="Accident",
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
                        ("occurred_on", models.DateField(verbose_name="occurred on")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("fire", "Fire"),
                                    ("gas_explosion", "Gas explosion"),
                                    ("electric", "Electric shock"),
                                    ("collapse", "Collapse"),
                                    ("poisoning", "Poisoning or suffocation"),
                                    ("other", "Other"),
                                ],
                                max_length=14,
                                verbose_name="kind",
                            ),
                        ),
                        ("deaths", models.PositiveIntegerField(default=0, verbose_name="deaths")),
                        (
                            "injuries",
                            models.PositiveIntegerField(default=0, verbose_name="injuries"),
                        ),
                        (
                            "direct_loss",
                            models.DecimalField(
                                decimal_places=2,
                                default=0,
                                max_digits=12,
                                verbose_name="direct loss (10k yuan)",
                            ),
                        ),
                        (
                            "description",
                            config.inputs.LimitedTextField(
                                blank=True, max_length=4000, verbose_name="description"
                            ),
                        ),
                        (
                            "premises",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="accidents",
                                to="premises.premises",
                                verbose_name="premises",
                            ),
                        ),
                        (
                            "village",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="accidents",
                                to="grids.village",
                                verbose_name="village",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "accident",
                        "verbose_name_plural": "accidents",
                        "db_table": "hazards_accident",
                        "ordering": ["-occurred_on", "-pk"],
                        "indexes": [
                            models.Index(fields=["occurred_on"], name="hazards_accident_occurred")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("direct_loss__gte", 0)),
                                name="hazards_accident_loss_not_negative",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
