from django.urls import path

from accidents import views

app_name = "accidents"
urlpatterns = [
    # 事故: the accident register behind the dashboard's year-on-year accident figures.
    path("accidents/", views.accident_list, name="accident_list"),
    path("accidents/new/", views.accident_create, name="accident_new"),
    path("accidents/<int:pk>/edit/", views.accident_edit, name="accident_edit"),
]
