"""Mounted inside premises.urls at registry/org/: names are premises:grids:…"""

from django.urls import path

from accounts import views_registry as users
from grids import views

app_name = "grids"
urlpatterns = [
    path("", views.org_index, name="index"),
    path("villages/new/", views.village_create, name="village_create"),
    path("villages/<int:pk>/", views.village_edit, name="village_edit"),
    path("grids/new/", views.grid_create, name="grid_create"),
    path("grids/<int:pk>/", views.grid_edit, name="grid_edit"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_edit, name="department_edit"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", users.user_set_active, name="user_set_active"),
    path("users/<int:pk>/assignments/", views.user_assignments, name="user_assignments"),
]
