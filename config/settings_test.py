"""Settings for the test run: the production settings, with Celery tasks run in-process.

Set here, before anything starts, because toggling eager mode at runtime once hung a test run
(STACK.md). Tests that need the real broker use `send_task`, which eager mode does not touch."""

from config.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
