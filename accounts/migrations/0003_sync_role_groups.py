from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import sync_role_groups


def resync(apps, schema_editor):
    # New models (deliveries) bring new permissions; make them, then give each role its set.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # Partial: on an empty database this runs before the apps some roles' models moved to
    # (accounts/migrations/0004_moved_models.py syncs them whole).
    sync_role_groups(apps, partial=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_role_groups"),
        ("notifications", "0002_deliveries"),
    ]

    operations = [migrations.RunPython(resync, migrations.RunPython.noop)]
