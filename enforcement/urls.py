from django.urls import path

from enforcement.views import measures, offenders

app_name = "enforcement"
urlpatterns = [
    path("hazards/<int:pk>/enforcement/", measures.enforcement_new, name="enforcement_new"),
    path("enforcement/<int:pk>/lift/", measures.enforcement_lift, name="enforcement_lift"),
    # 钉子户: the persistent offenders.
    path("offenders/", offenders.offender_list, name="offender_list"),
]
