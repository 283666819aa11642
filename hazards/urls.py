from django.urls import path

from hazards.views import hazard as hazard_views
from hazards.views import ledger as ledger_views
from hazards.views import media, notices

app_name = "hazards"
urlpatterns = [
    # The closed loop (闭环销号): the hazard page and its steps, the ledger (台账), the notice.
    path("hazards/<int:pk>/", hazard_views.hazard_detail, name="hazard_detail"),
    path(
        "hazards/<int:pk>/do/<slug:action>/",
        hazard_views.hazard_transition,
        name="hazard_transition",
    ),
    path("ledger/", ledger_views.hazard_list, name="ledger"),
    path("ledger/export.xlsx", ledger_views.hazard_export, name="ledger_export"),
    path("notices/<int:pk>/", notices.notice_detail, name="notice_detail"),
    path("photos/<int:pk>/<str:variant>.jpg", media.photo, name="photo"),
]
