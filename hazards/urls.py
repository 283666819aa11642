from django.urls import path

from hazards.views import field, inspect, media, notices

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
]
