"""Models moved out of the hazards app keep their tables and take their content types and
permissions along (accounts/migrations/0004_moved_models.py; docs/decisions.md, Apps cut by
what people do)."""

from importlib import import_module

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from accidents.models import Accident
from accounts.roles import Role
from enforcement.models import EnforcementAction
from inspections.models import ChecklistItem, Inspection
from tests.factories import InspectionFactory, UserFactory

migration = import_module("accounts.migrations.0004_moved_models")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_content_type_cache():
    """The test remakes a content type under a new id: the cache must not outlive its rows."""
    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.mark.parametrize(
    ("model", "table"),
    [
        (ChecklistItem, "hazards_checklistitem"),
        (Inspection, "hazards_inspection"),
        (EnforcementAction, "hazards_enforcementaction"),
        (Accident, "hazards_accident"),
    ],
)
def test_a_moved_model_keeps_its_table(model, table):
    assert model._meta.db_table == table
    if model is ChecklistItem:
        assert model.tags.through._meta.db_table == "hazards_checklistitem_tags"


def test_relabelling_keeps_permissions_held_and_log_entries_on_the_moved_model():
    """As on a database made before the move: the old content type, a user holding one of its
    permissions and an admin log entry naming it."""
    ContentType.objects.filter(app_label="inspections", model="inspection").delete()
    old = ContentType.objects.create(app_label="hazards", model="inspection")
    held = Permission.objects.create(content_type=old, codename="view_inspection", name="x")
    user = UserFactory()
    user.user_permissions.add(held)
    visit = InspectionFactory()
    LogEntry.objects.create(
        user=user, content_type=old, object_id=str(visit.pk), object_repr="", action_flag=CHANGE
    )
    ContentType.objects.clear_cache()

    # The migrations' picture of the models, as in a migration: relabel() marks each app config
    # as having models while it makes their permissions, which real app configs must not keep.
    migration.relabel(MigrationLoader(connection).project_state().apps, None)

    old.refresh_from_db()
    assert (old.app_label, old.model) == ("inspections", "inspection")
    assert UserFactory._meta.model.objects.get(pk=user.pk).has_perm("inspections.view_inspection")
    assert LogEntry.objects.get().get_edited_object() == visit
    officers = Group.objects.get(name=Role.GRID_OFFICER)
    assert officers.permissions.filter(content_type=old, codename="add_inspection").exists()
