from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0011: an index built in the transaction that filled the column would hold the
    rows' old versions too (twice the size until the next REINDEX)."""

    dependencies = [("dashboard", "0011_premises_year_grid")]

    operations = [
        migrations.AddIndex(
            model_name="premisesyear",
            index=models.Index(
                fields=["year", "grid"],
                include=("premises", "days"),
                name="dashboard_premisesyear_grid",
            ),
        ),
    ]
