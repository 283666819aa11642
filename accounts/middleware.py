"""Session expiry after inactivity without a database write on every request."""

import time

from django.conf import settings

TOUCHED = "_touched"


class SessionTouchMiddleware:
    """Saves a signed-in session (which moves its expiry SESSION_COOKIE_AGE ahead) at most once
    per SESSION_TOUCH_SECONDS. SESSION_SAVE_EVERY_REQUEST did the same with an UPDATE and a
    commit on every page: ~20% of an officer page's time (bench/RESULTS.md). Inactivity still
    signs the user out, at most SESSION_TOUCH_SECONDS early."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            if now - session.get(TOUCHED, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now
        return self.get_response(request)
