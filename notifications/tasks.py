from celery import shared_task

from notifications.delivery import DeliveryFailed, deliver


@shared_task(
    autoretry_for=(DeliveryFailed,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def deliver_task(delivery_id: int) -> bool:
    """One channel, one message; a failing channel retries on its own and blocks no other."""
    return deliver(delivery_id)
