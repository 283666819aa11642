from django.urls import path

from dashboard import views

# No app_name: "home" is the site-wide name of the root page (LOGIN_REDIRECT_URL, the navbar).
urlpatterns = [
    path("", views.home, name="home"),
]
