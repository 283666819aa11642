"""Checklist items and visits move to the inspections app, enforcement actions to enforcement,
accidents to accidents (docs/decisions.md, Apps cut by what people do). State only: the tables
keep their names (`db_table`) and rows, and the triggers that name them (0006 here, dashboard's
tallies) keep working. A hazard's and a notice's foreign keys now name inspections' models; the
columns and their constraints stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hazards", "0009_trigram_search"),
        ("inspections", "0001_initial"),
        # Its data migration reads visits as hazards.Inspection: it runs while they are here.
        ("dashboard", "0010_tallies_on_sqlite"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="hazard",
                    name="checklist_item",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hazards",
                        to="inspections.checklistitem",
                        verbose_name="checklist item",
                    ),
                ),
                migrations.AlterField(
                    model_name="hazard",
                    name="inspection",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hazards",
                        to="inspections.inspection",
                        verbose_name="inspection",
                    ),
                ),
                migrations.AlterField(
                    model_name="rectificationnotice",
                    name="inspection",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notices",
                        to="inspections.inspection",
                        verbose_name="inspection",
                    ),
                ),
                migrations.DeleteModel(name="Accident"),
                migrations.DeleteModel(name="EnforcementAction"),
                migrations.DeleteModel(name="Inspection"),
                migrations.DeleteModel(name="ChecklistItem"),
            ],
        ),
    ]
