"""The models that moved out of the hazards app (docs/decisions.md, Apps cut by what people do)
take their content types along: each `hazards.<model>` content type is relabelled, so its
permissions, the groups and users holding them and the admin's log entries keep pointing at it
under the new label (`inspections.view_inspection`, ...). Then every role group gets its
permissions again (accounts/roles.py).

A database migrated from zero may already have made the new content type (accounts' 0002 makes
the content types of every model in the state it runs in); the old one is then left, empty of
anything but its own permissions, for `manage.py remove_stale_contenttypes`."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import sync_role_groups

MOVED = {
    "checklistitem": "inspections",
    "inspection": "inspections",
    "enforcementaction": "enforcement",
    "accident": "accidents",
}


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        if not ContentType.objects.filter(app_label=app_label, model=model).exists():
            ContentType.objects.filter(app_label="hazards", model=model).update(
                app_label=app_label
            )
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_role_groups(apps)


def unrelabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        if not ContentType.objects.filter(app_label="hazards", model=model).exists():
            ContentType.objects.filter(app_label=app_label, model=model).update(
                app_label="hazards"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_sync_role_groups"),
        ("hazards", "0010_models_moved_out"),
        ("inspections", "0001_initial"),
        ("enforcement", "0001_initial"),
        ("accidents", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(relabel, unrelabel)]
