"""Registry admins' pages for people: the door they share with the registry, and users.

Users are never deleted: inspections, hazards and history rows PROTECT the people who recorded
them. A user who leaves is deactivated and can no longer sign in; everything they did stays.
Where a user works (grids, villages, departments) is kept on those records: grids.views.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.forms import RegistryUserCreateForm, RegistryUserForm, UserFilterForm
from accounts.models import User
from accounts.roles import Role

PAGE_SIZE = 50


def is_registry_admin(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_role(Role.REGISTRY_ADMIN))
    )


def registry_admin_required(view):
    """Registry admins and superusers pass; anyone else signed in gets 403. (Anonymous
    visitors never get here: LoginRequiredMiddleware sends them to the login page.)"""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_registry_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def get_user_for(admin: User, pk: int) -> User:
    """A user the admin may manage: anyone but a superuser, unless the admin is one too."""
    user = get_object_or_404(User, pk=pk)
    if user.is_superuser and not admin.is_superuser:
        raise PermissionDenied
    return user


@registry_admin_required
def user_list(request):
    filters = UserFilterForm(request.GET)
    users = User.objects.prefetch_related("groups").order_by("username")
    if filters.is_valid():
        if q := filters.cleaned_data["q"].strip():
            users = users.filter(
                Q(username__icontains=q) | Q(full_name__icontains=q) | Q(phone__contains=q)
            )
        if role := filters.cleaned_data["role"]:
            users = users.filter(groups__name=role)
        if active := filters.cleaned_data["active"]:
            users = users.filter(is_active=active == "yes")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grids/user_list.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )


@registry_admin_required
def user_create(request):
    form = RegistryUserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("User %(name)s created.") % {"name": user})
        return redirect("premises:grids:user_edit", pk=user.pk)
    return render(request, "grids/user_form.html", {"form": form})


@registry_admin_required
def user_edit(request, pk: int):
    user = get_user_for(request.user, pk)
    form = RegistryUserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("User %(name)s saved.") % {"name": user})
        return redirect("premises:grids:user_edit", pk=user.pk)
    return render(request, "grids/user_form.html", {"form": form, "managed": user})


@require_POST
@registry_admin_required
def user_set_active(request, pk: int):
    """Deactivate or reactivate a user; nothing they recorded changes."""
    user = get_user_for(request.user, pk)
    active = request.POST.get("active") == "yes"
    if user.pk == request.user.pk and not active:
        messages.error(request, _("You cannot deactivate yourself."))
    else:
        user.is_active = active
        user.save(update_fields=["is_active"])
        text = _("%(name)s can sign in again.") if active else _("%(name)s can no longer sign in.")
        messages.success(request, text % {"name": user})
    return redirect("premises:grids:user_edit", pk=user.pk)
