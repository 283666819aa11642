"""钉子户: persistent offenders, for village leaders and the safety office."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from enforcement.offenders import OVERDUE_DAYS, WINDOW_DAYS, persistent_offenders
from hazards.rights import is_office

PAGE_SIZE = 50


def offender_list(request):
    user = request.user
    if not (is_office(user) or user.has_role(Role.VILLAGE_LEADER)):
        raise PermissionDenied(
            _("Persistent offenders are listed for village leaders and the safety office.")
        )
    now = timezone.now()
    rows = persistent_offenders(user, today=timezone.localdate(now), now=now)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "enforcement/offender_list.html",
        {"page": page, "query": "", "overdue_days": OVERDUE_DAYS, "window_days": WINDOW_DAYS},
    )
