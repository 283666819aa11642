from django.urls import include, path, re_path

from premises.views import documents, history, labels, registry, transfer

app_name = "premises"
urlpatterns = [
    path("", registry.registry_list, name="list"),
    path("new/", registry.premises_create, name="create"),
    path("<int:pk>/", registry.premises_detail, name="detail"),
    path("<int:pk>/edit/", registry.premises_edit, name="edit"),
    path("<int:pk>/move/", registry.premises_move, name="move"),
    path("<int:pk>/status/", registry.premises_status, name="status"),
    path("<int:pk>/history/", history.premises_history, name="history"),
    path("<int:pk>/commitment-letter/", documents.commitment_scan, name="commitment_scan"),
    path("import/", transfer.import_upload, name="import"),
    re_path(
        r"^import/template\.(?P<fmt>csv|xlsx)$", transfer.import_template, name="import_template"
    ),
    path("import/<str:token>/", transfer.import_preview, name="import_preview"),
    path("import/<str:token>/apply/", transfer.import_apply, name="import_apply"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", transfer.export, name="export"),
    path("labels/", labels.label_sheet, name="labels"),
    # Villages, grids, departments and users: the rest of what registry admins keep.
    path("org/", include("grids.urls")),
]
