from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from notifications.models import Notification

PAGE_SIZE = 20


def inbox(request):
    notifications = Notification.objects.filter(recipient=request.user).order_by("-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "query": ""})


@require_POST
def mark_read(request, pk: int):
    """Mark one read, then follow its link (or go back to the inbox)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        # Never redirect(): it takes a bare word for a URL name and fails on it (a 500).
        return HttpResponseRedirect(target)
    return redirect("notifications:inbox")


@require_POST
def mark_all_read(request):
    Notification.objects.filter(recipient=request.user, read_at=None).update(read_at=timezone.now())
    return redirect("notifications:inbox")
