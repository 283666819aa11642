from django.urls import path

from inspections.views import inspect, offline, premises

app_name = "inspections"
urlpatterns = [
    # The officer's premises: the list of their grids, a premises, its QR code and label.
    path("premises/", premises.premises_list, name="premises_list"),
    path("premises/<int:pk>/", premises.premises_detail, name="premises_detail"),
    path("premises/<int:pk>/qr.svg", premises.premises_qr, name="premises_qr"),
    path("premises/<int:pk>/label/", premises.premises_label, name="premises_label"),
    path("q/<str:token>", premises.scan, name="scan"),
    # A visit: the inspection form and the visit's page.
    path("premises/<int:premises_pk>/inspect/", inspect.inspection_new, name="inspection_new"),
    path("inspections/<int:pk>/", inspect.inspection_detail, name="inspection_detail"),
    # Field work without signal: what the phone keeps for offline work, and its outbox. The
    # paths are cached by the service worker (docs/workflow.md, Offline): keep them.
    path("offline/bundle.json", offline.offline_bundle, name="offline_bundle"),
    path("offline/shell/", offline.offline_shell, name="offline_shell"),
    path("offline/outbox/", offline.outbox, name="outbox"),
]
