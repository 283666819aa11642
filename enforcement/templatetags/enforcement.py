"""The enforcement section of the hazard page, rendered by this app.

The hazard page (hazards/views/hazard.py) loads this tag instead of importing enforcement:
enforcement imports hazards, never the other way (docs/architecture.md, Which app imports
which)."""

from django import template

from enforcement.forms import LiftForm
from enforcement.measures import STOPPING, can_enforce

register = template.Library()


@register.inclusion_tag("enforcement/_hazard_section.html", takes_context=True)
def enforcement_section(context, hazard):
    """The hazard's measures, a lift form for each suspension or seal still in force that the
    user may lift, and the link to record a new one."""
    user, today = context["request"].user, context["today"]
    actions = list(hazard.enforcement_actions.select_related("department", "recorded_by"))
    may_enforce = can_enforce(user, hazard)
    lift_forms = {
        action.pk: LiftForm(action=action, today=today)
        for action in actions
        if may_enforce and action.kind in STOPPING and action.lifted_on is None
    }
    return {
        "hazard": hazard,
        "enforcement": [(action, lift_forms.get(action.pk)) for action in actions],
        "may_enforce": may_enforce,
        "csrf_token": context.get("csrf_token"),
    }
