from django.urls import path

from hazards.views import accidents as accident_views
from hazards.views import enforcement as enforcement_views
from hazards.views import field, inspect, media, notices
from hazards.views import hazard as hazard_views
from hazards.views import ledger as ledger_views
from hazards.views import offenders as offender_views
from hazards.views import offline as offline_views

app_name = "hazards"
urlpatterns = [
    path("premises/", field.premises_list, name="premises_list"),
    path("premises/<int:pk>/", field.premises_detail, name="premises_detail"),
    path("premises/<int:pk>/qr.svg", field.premises_qr, name="premises_qr"),
    path("premises/<int:pk>/label/", field.premises_label, name="premises_label"),
    path("premises/<int:premises_pk>/inspect/", inspect.inspection_new, name="inspection_new"),
    path("q/<str:token>", field.scan, name="scan"),
    path("inspections/<int:pk>/", inspect.inspection_detail, name="inspection_detail"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("photos/<int:pk>/<str:variant>.jpg", media.photo, name="photo"),
    # The closed loop (闭环销号): hazard page, ledger, enforcement, persistent offenders.
    path("hazards/<int:pk>/", hazard_views.hazard_detail, name="hazard_detail"),
    path(
        "hazards/<int:pk>/do/<slug:action>/",
        hazard_views.hazard_transition,
        name="hazard_transition",
    ),
    path(
        "hazards/<int:pk>/enforcement/",
        enforcement_views.enforcement_new,
        name="enforcement_new",
    ),
    path("enforcement/<int:pk>/lift/", enforcement_views.enforcement_lift, name="enforcement_lift"),
    path("ledger/", ledger_views.hazard_list, name="hazard_list"),
    path("ledger/export.xlsx", ledger_views.hazard_export, name="hazard_export"),
    path("offenders/", offender_views.offender_list, name="offender_list"),
    # 事故: the accident register behind the dashboard's year-on-year accident figures.
    path("accidents/", accident_views.accident_list, name="accident_list"),
    path("accidents/new/", accident_views.accident_create, name="accident_create"),
    path("accidents/<int:pk>/edit/", accident_views.accident_edit, name="accident_edit"),
    # Field work without signal: what the phone keeps for offline work, and its outbox.
    path("offline/bundle.json", offline_views.offline_bundle, name="offline_bundle"),
    path("offline/shell/", offline_views.offline_shell, name="offline_shell"),
    path("offline/outbox/", offline_views.outbox, name="outbox"),
]
