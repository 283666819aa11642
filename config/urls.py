from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from accounts import views as account_views
from inspections.views import offline as offline_views

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("inspections.urls")),
    path("", include("hazards.urls")),
    path("", include("enforcement.urls")),
    path("", include("accidents.urls")),
    path("inbox/", include("notifications.urls")),
    path("healthz", account_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("registry/", include("premises.urls")),
    # The language switcher is on the login page too: LoginRequiredMiddleware would otherwise
    # send an anonymous visitor's choice to the login page instead of setting it.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    # At the root, so the service worker's scope is the whole site (docs/workflow.md, Offline);
    # both public: the browser fetches them without a session.
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
]
