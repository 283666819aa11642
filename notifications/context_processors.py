from notifications.models import Notification


def unread(request) -> dict:
    """The unread count in the navigation bar: one indexed COUNT per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_count": 0}
    return {"unread_count": Notification.objects.filter(recipient=user, read_at=None).count()}
