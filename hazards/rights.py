"""Who may do what in the closed loop (docs/workflow.md): read by the workflow, which refuses
a step the actor may not take, and by the pages, which show only the steps a user may take."""

from collections.abc import Callable

from accounts.roles import Role
from hazards.models import Hazard, HazardEvent, Severity
from premises.models import Premises

S = Hazard.Status
A = HazardEvent.Action


def member_ids(user, relation: str) -> frozenset[int]:
    """The ids of the user's grids / villages / departments, read once per user object."""
    cache = user.__dict__.setdefault("_membership_ids", {})
    if relation not in cache:
        cache[relation] = frozenset(getattr(user, relation).values_list("pk", flat=True))
    return cache[relation]


def is_office(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_role(Role.SAFETY_OFFICE))


def _officer_grids(user) -> frozenset[int]:
    """The grids the user patrols as a grid officer (none without the role)."""
    return member_ids(user, "patrolled_grids") if user.has_role(Role.GRID_OFFICER) else frozenset()


def _leader_villages(user) -> frozenset[int]:
    """The villages the user leads as a village leader (none without the role)."""
    return member_ids(user, "led_villages") if user.has_role(Role.VILLAGE_LEADER) else frozenset()


def is_officer_of(user, premises: Premises) -> bool:
    return premises.grid_id in _officer_grids(user)


def is_leader_of(user, premises: Premises) -> bool:
    return premises.grid.village_id in _leader_villages(user)


def is_department_of(user, hazard: Hazard) -> bool:
    return user.has_role(Role.DEPARTMENT_OFFICER) and (
        hazard.department_id in member_ids(user, "departments")
    )


def can_report(user, premises: Premises) -> bool:
    return is_office(user) or is_officer_of(user, premises) or is_leader_of(user, premises)


def can_manage(user, hazard: Hazard) -> bool:
    """Verify, dismiss, extend, escalate: the village leader or the safety office."""
    return is_office(user) or is_leader_of(user, hazard.premises)


def can_submit_fix(user, hazard: Hazard) -> bool:
    return is_officer_of(user, hazard.premises) or is_leader_of(user, hazard.premises)


def can_review(user, hazard: Hazard) -> bool:
    """Accept or reject: general by leader or office; major by office or responsible department."""
    if hazard.severity == Severity.MAJOR:
        return is_office(user) or is_department_of(user, hazard)
    return is_office(user) or is_leader_of(user, hazard.premises)


def sees_phone(user, premises: Premises) -> bool:
    """The operator's phone: for those who call them (the premises' grid officers and leaders,
    the safety office) and the registry admins who keep it; everyone else sees it masked."""
    return phone_visibility(user)(premises.grid_id, premises.grid.village_id)


def phone_visibility(user) -> Callable[[int, int], bool]:
    """sees_phone for premises by their grid and village ids, the user's roles and places read
    once: for one premises, or for the ledger's export of thousands of rows."""
    if is_office(user) or user.has_role(Role.REGISTRY_ADMIN):
        return lambda grid, village: True
    grids, villages = _officer_grids(user), _leader_villages(user)
    return lambda grid, village: grid in grids or village in villages


def allowed_actions(user, hazard: Hazard) -> list[str]:
    """The transitions this user may take on this hazard now, for showing only those buttons."""
    actions = []
    if hazard.status == S.REPORTED and can_manage(user, hazard):
        actions += [A.VERIFY, A.DISMISS]
    if hazard.status == S.RECTIFYING and can_submit_fix(user, hazard):
        actions.append(A.SUBMIT_FIX)
    if (
        hazard.status == S.SUBMITTED
        and can_review(user, hazard)
        and hazard.submitted_by_id != user.pk
    ):
        actions += [A.ACCEPT, A.REJECT]
    if hazard.status in (S.REPORTED, S.RECTIFYING) and can_manage(user, hazard):
        actions.append(A.EXTEND)
    if hazard.is_open and can_manage(user, hazard):
        actions.append(A.ESCALATE)
    return actions
