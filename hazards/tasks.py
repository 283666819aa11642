from celery import shared_task

from hazards.reminders import sweep


@shared_task(acks_late=True)
def send_reminders_task() -> list[str]:
    """The morning sweep (beat, 08:30 Asia/Shanghai). Safe to run again: idempotent per day."""
    return sweep().lines()
