"""Where the dashboard's figures come from: the county, a town, a village or a grid.

Who may open which scope (docs/scope.md):
- the safety office, registry admins and superusers: every town, village and grid;
- department officers: every town, village and grid, but their figures only ever count their
  sector (the `visible_to` scope helpers see to that);
- village leaders: their own villages and those villages' grids;
- grid officers (and users without a role): no dashboard (403) — their home page is their patrol.

A scope outside the user's reach answers 404.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.roles import Role
from config.inputs import parse_int
from grids.models import Grid, Town, Village, villages_of

COUNTY, TOWN, VILLAGE, GRID = "county", "town", "village", "grid"
BOARD_ROLES = (
    Role.SAFETY_OFFICE,
    Role.REGISTRY_ADMIN,
    Role.DEPARTMENT_OFFICER,
    Role.VILLAGE_LEADER,
)


def can_see_board(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_role(*BOARD_ROLES))


def require_board(user) -> None:
    if not can_see_board(user):
        raise PermissionDenied(
            _("The dashboard is for the safety office, village leaders and departments.")
        )


def _sees_every_village(user) -> bool:
    return user.sees_whole_town or user.has_role(Role.DEPARTMENT_OFFICER)


def allowed_villages(user) -> QuerySet:
    if _sees_every_village(user):
        return Village.objects.all()
    return Village.objects.filter(pk__in=villages_of(user))


def allowed_grids(user) -> QuerySet:
    return Grid.objects.filter(village__in=allowed_villages(user))


def allowed_towns(user) -> QuerySet:
    return Town.objects.all() if _sees_every_village(user) else Town.objects.none()


@dataclass(frozen=True)
class Crumb:
    label: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """One place on the dashboard.

    `premises_filter` narrows premises (inspections, hazards and accidents prefix it), `params`
    are the GET parameters that select it on the dashboard, the ledger and the lists, and
    `children` are the places one level down, ranked on its page."""

    kind: str
    obj: Model | None
    title: str
    premises_filter: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    child_kind: str | None = None
    crumbs: tuple[Crumb, ...] = ()

    def filter_on(self, prefix: str = "") -> dict[str, Any]:
        """`premises_filter` seen from a model related to premises through `prefix`."""
        return {f"{prefix}{key}": value for key, value in self.premises_filter.items()}

    @property
    def accident_filter(self) -> dict[str, Any]:
        """Accidents belong to a village; only those at a premises belong to a grid."""
        if self.kind == GRID:
            return {"premises__grid": self.obj}
        if self.kind == VILLAGE:
            return {"village": self.obj}
        if self.kind == TOWN and self.params:
            return {"village__town": self.obj}
        return {}


def _several_towns() -> bool:
    return Town.objects.count() > 1


def _town_scope(town: Town, *, several: bool) -> Scope:
    # With one town everything the user sees is in it: no parameter, shorter links.
    params = {"town": town.pk} if several else {}
    crumbs = (Crumb(_("County"), {}),) if several else ()
    return Scope(
        TOWN,
        town,
        town.name,
        {"grid__village__town": town} if several else {},
        params,
        VILLAGE,
        (*crumbs, Crumb(town.name, params)),
    )


def _village_scope(village: Village, user, *, several: bool) -> Scope:
    crumbs: tuple[Crumb, ...] = ()
    if _sees_every_village(user):
        town = village.town
        crumbs = _town_scope(town, several=several).crumbs
    params = {"village": village.pk}
    return Scope(
        VILLAGE,
        village,
        village.name,
        {"grid__village": village},
        params,
        GRID,
        (*crumbs, Crumb(village.name, params)),
    )


def _grid_scope(grid: Grid, user, *, several: bool) -> Scope:
    above = _village_scope(grid.village, user, several=several)
    params = {"grid": grid.pk}
    title = f"{grid.village.name} · {grid.name}"
    crumbs = (*above.crumbs, Crumb(grid.name, params))
    return Scope(GRID, grid, title, {"grid": grid}, params, None, crumbs)


def root_scope(user) -> Scope:
    """What /dashboard/ shows: the whole county or town; a leader's own village."""
    several = _several_towns()
    if not _sees_every_village(user):
        villages = list(allowed_villages(user).select_related("town")[:2])
        if len(villages) == 1:
            return _village_scope(villages[0], user, several=several)
        return Scope(
            COUNTY, None, _("My villages"), {}, {}, VILLAGE, (Crumb(_("My villages"), {}),)
        )
    if several:
        return Scope(COUNTY, None, _("County"), {}, {}, TOWN, (Crumb(_("County"), {}),))
    town = Town.objects.first()
    if town is None:
        return Scope(COUNTY, None, _("County"), {}, {}, TOWN, ())
    return _town_scope(town, several=False)


def scope_from(params, user) -> Scope:
    """The scope the GET parameters name (grid, then village, then town), else the root."""
    if (pk := parse_int(params.get("grid"))) is not None:
        grid = get_object_or_404(allowed_grids(user).select_related("village__town"), pk=pk)
        return _grid_scope(grid, user, several=_several_towns())
    if (pk := parse_int(params.get("village"))) is not None:
        village = get_object_or_404(allowed_villages(user).select_related("town"), pk=pk)
        return _village_scope(village, user, several=_several_towns())
    if (pk := parse_int(params.get("town"))) is not None:
        town = get_object_or_404(allowed_towns(user), pk=pk)
        return _town_scope(town, several=_several_towns())
    return root_scope(user)


def children(scope: Scope, user) -> list[Model]:
    """The places one level down that the user may open, in code order."""
    if scope.child_kind == TOWN:
        return list(allowed_towns(user))
    if scope.child_kind == VILLAGE:
        villages = allowed_villages(user)
        if scope.kind == TOWN:
            villages = villages.filter(town=scope.obj)
        return list(villages)
    if scope.child_kind == GRID:
        return list(allowed_grids(user).filter(village=scope.obj))
    return []
