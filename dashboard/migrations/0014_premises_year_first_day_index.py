from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0013, for the reason 0012 is apart from 0011. The index by grid holds the
    first day too, so that a town's count reads it alone."""

    dependencies = [("dashboard", "0013_premises_year_first_day")]

    operations = [
        migrations.RemoveIndex(model_name="premisesyear", name="dashboard_premisesyear_grid"),
        migrations.AddIndex(
            model_name="premisesyear",
            index=models.Index(
                fields=["year", "grid"],
                include=("premises", "days", "first_day"),
                name="dashboard_premisesyear_by_grid",
            ),
        ),
        migrations.AddIndex(
            model_name="premisesyear",
            index=models.Index(fields=["year", "first_day"], name="dashboard_premisesyear_first"),
        ),
    ]
