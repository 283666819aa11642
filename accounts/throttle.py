"""Throttling of failed sign-ins (django-axes), with two limits and the app's own lockout page.

* Per person and address: `AXES_FAILURE_LIMIT` failures of one username from one address lock
  that pair out for `AXES_COOLOFF_TIME` — someone guessing one officer's password.
* Per address: `LOGIN_ADDRESS_FAILURE_LIMIT` failures from one address, whatever the usernames,
  lock the address out — someone trying many officers' passwords. Higher than the pair's limit,
  because a village's phones often share one carrier address (CGNAT).

Axes compares one count with one limit; `LoginThrottleHandler` gives it the larger of the two
counts, each expressed against the pair's limit, so each limit trips at its own number.
A successful sign-in clears the failures of its own username at that address
(`AXES_RESET_ON_SUCCESS`), and only those: guesses at other usernames from the address still
count, so one valid account cannot wipe the count of guesses at everyone else's.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext as _


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` proxies the address
    the outermost trusted proxy saw, read from the right of X-Forwarded-For (entries further
    left are whatever the client sent, so never trusted)."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


class ThrottledBackend(AxesStandaloneBackend):
    """Refuses sign-ins that are locked out. A sign-in without a request (the test client's
    `login()`, a shell) has no address to count and is left to the next backend; every sign-in
    over HTTP — the login page and the admin's — comes with its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class LoginThrottleHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]: the first count is
    the pair's, the second the address's."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # floor(address × pair limit ÷ address limit) reaches the pair limit exactly when the
        # address reaches its own limit.
        scaled = address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT
        return max(pair, scaled)

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        pair = self.filter_user_attempts(request, credentials)[0]
        count, _rows = pair.delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with why and for how long, as 429 Too Many Requests."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed sign-ins. Wait %(minutes)d minutes, then try again.") % {
        "minutes": minutes
    }
    context = {
        "form": AuthenticationForm(request),
        "next": request.POST.get("next", ""),
        "lockout_message": message,
    }
    return render(request, "registration/login.html", context, status=429)
