from django.shortcuts import render
from django.utils import timezone

from accounts.roles import Role
from dashboard import selectors


def home(request):
    """The first page after sign-in: what needs doing, for the user's widest role."""
    user, today = request.user, timezone.localdate()
    role = user.primary_role
    if role == Role.GRID_OFFICER:
        return render(
            request,
            "dashboard/home_officer.html",
            {
                "today": today,
                "grids": selectors.officer_grids(user, today=today),
                "due_premises": selectors.patrol_due_premises(user, today=today),
                "patrol_due_count": selectors.patrol_due_count(user, today=today),
                "hazard_counts": selectors.hazard_counts(user, today=today),
            },
        )
    if role is None and not user.is_superuser:
        return render(request, "dashboard/home_no_role.html")
    return render(
        request,
        "dashboard/home_overview.html",
        {
            "today": today,
            "scope_names": selectors.scope_names(user),
            "premises_counts": selectors.premises_counts(user, today=today),
            "hazard_counts": selectors.hazard_counts(user, today=today),
            "overdue_hazards": selectors.most_overdue_hazards(user, today=today),
        },
    )
