from django.urls import include, path

from dashboard import views

# The town safety office's dashboard and the lists its numbers open.
board_patterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("report/", views.monthly_report, name="report"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("premises/", views.premises_list, name="premises_list"),
]

# "home" has no namespace: it is the site-wide name of the root page (LOGIN_REDIRECT_URL, the
# navbar). The dashboard pages live under the "dashboard" namespace.
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", include((board_patterns, "dashboard"))),
]
