"""The hazard page: facts, photos by stage, timeline, clocks, and the loop's forms. Its
enforcement section is rendered by the enforcement app's `enforcement_section` tag."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import User
from hazards import rights, workflow
from hazards.access import get_hazard_for
from hazards.clocks import legal_clocks
from hazards.drafts import keep_uploads
from hazards.ledger import operator_phone
from hazards.loop_forms import LOOP_FORMS, LoopForm, PhotoLoopForm
from hazards.models import Hazard, HazardEvent, HazardPhoto

PAGE_RELATIONS = (
    "premises__grid__village",
    "premises__business_type",
    "department",
    "checklist_item",
    "notice",
    "reported_by",
    "submitted_by",
    "reviewed_by",
    "recurrence_of",
)


def _all_but(relation: str, model, *shown: str) -> list[str]:
    return [
        f"{relation}__{field.name}"
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in shown
    ]


# The page shows of its people their names (str(User)) and of the hazard it recurs its number:
# their other columns (password hashes among them) cost a fifth of compiling its query.
PAGE_DEFERRED = (
    *_all_but("recurrence_of", Hazard, "ledger_number"),
    *(
        column
        for person in ("reported_by", "submitted_by", "reviewed_by")
        for column in _all_but(person, User, "full_name", "first_name", "last_name", "username")
    ),
)
SUCCESS = {
    "verify": gettext_lazy("Verified: rectification has started."),
    "dismiss": gettext_lazy("Dismissed."),
    "submit_fix": gettext_lazy("Fix submitted for review."),
    "accept": gettext_lazy("Accepted: the hazard is closed and struck off the ledger."),
    "reject": gettext_lazy("Fix rejected: back to rectification."),
    "extend": gettext_lazy("Deadline extended."),
    "escalate": gettext_lazy("Handed over to the department."),
}


def _page_hazard(user, pk: int) -> Hazard:
    rows = Hazard.objects.select_related(*PAGE_RELATIONS).defer(*PAGE_DEFERRED)
    return get_hazard_for(user, pk, queryset=rows)


def _loop_forms(user, hazard: Hazard, today, bound: LoopForm | None = None) -> list[LoopForm]:
    """One form per action this user may take now; `bound` replaces its unbound twin."""
    forms = []
    for action in rights.allowed_actions(user, hazard):
        if bound is not None and bound.action == action:
            forms.append(bound)
        else:
            forms.append(LOOP_FORMS[action](hazard=hazard, today=today))
    return forms


def _last_fix_note(events: list[HazardEvent]) -> str:
    fixes = [event for event in events if event.action == HazardEvent.Action.SUBMIT_FIX]
    return fixes[-1].note if fixes else ""


def _render(request, hazard: Hazard, *, today, bound: LoopForm | None = None, status=200):
    user = request.user
    photos = {stage: [] for stage in HazardPhoto.Stage.values}
    for photo in hazard.photos.all():
        photos[photo.stage].append(photo)
    events = list(hazard.events.select_related("actor"))
    waiting_for_review = hazard.status == Hazard.Status.SUBMITTED
    context = {
        "hazard": hazard,
        "premises": hazard.premises,
        "today": today,
        "overdue_days": (today - hazard.rectify_by).days if hazard.is_overdue(today) else 0,
        "days_left": (hazard.rectify_by - today).days,
        "operator_phone": operator_phone(user, hazard.premises),
        "photo_stages": [(label, photos[stage]) for stage, label in HazardPhoto.Stage.choices],
        "events": events,
        # A fix waiting for review: its photos and note come before the decision
        # (docs/workflow.md, Transitions), so the reviewer judges what they see first.
        "evidence_first": waiting_for_review,
        "fix_note": _last_fix_note(events) if waiting_for_review else "",
        "clocks": legal_clocks(hazard, today=today),
        "forms": _loop_forms(user, hazard, today, bound),
        "bound_action": bound.action if bound is not None else None,
        "recurrences": hazard.recurrences.only("pk", "ledger_number", "reported_at"),
    }
    return render(request, "hazards/hazard_detail.html", context, status=status)


def hazard_detail(request, pk: int):
    hazard = _page_hazard(request.user, pk)
    return _render(request, hazard, today=timezone.localdate())


def _attach(photos: list[HazardPhoto], hazard: Hazard, stage: str) -> None:
    HazardPhoto.objects.filter(pk__in=[p.pk for p in photos], hazard__isnull=True).update(
        hazard=hazard, stage=stage, draft_key=None, draft_field=""
    )


def _run(form: LoopForm, hazard: Hazard, user) -> None:
    """Attach the form's photos and run the transition in one transaction: a refused transition
    leaves its photos as drafts, never on the hazard."""
    run = getattr(workflow, form.action)
    with transaction.atomic():
        if form.action == "submit_fix":
            _attach(form.kept, hazard, form.photo_stage)  # submit_fix checks they exist
        run(hazard, by=user, **form.workflow_kwargs())
        if form.action in ("accept", "reject"):
            _attach(form.kept, hazard, form.photo_stage)


@require_POST
def hazard_transition(request, pk: int, action: str):
    """One door for every transition of the loop; `action` must be one of LOOP_FORMS."""
    form_class = LOOP_FORMS.get(action)
    if form_class is None:
        raise Http404
    user, today = request.user, timezone.localdate()
    hazard = _page_hazard(user, pk)
    form = form_class(request.POST, request.FILES, hazard=hazard, today=today)
    form.is_valid()
    # Checked again, under a row lock, by the workflow; here it only spares storing photos
    # for a step that will be refused.
    allowed = action in rights.allowed_actions(user, hazard)
    if allowed and isinstance(form, PhotoLoopForm) and form.cleaned_data.get("key"):
        form.kept = keep_uploads(
            form, "photos", stage=form.photo_stage, user=user, key=form.cleaned_data["key"]
        )
        if form.photos_required and not form.kept and "photos" not in form.errors:
            form.add_error("photos", _("Add at least one photo of the fix."))
    if form.errors:
        if not allowed:
            messages.error(request, _("You cannot take this step on this hazard now."))
            return redirect("hazards:hazard_detail", pk=hazard.pk)
        messages.error(request, _("Please correct the marked fields."))
        return _render(request, hazard, today=today, bound=form, status=400)
    try:
        _run(form, hazard, user)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return redirect("hazards:hazard_detail", pk=hazard.pk)
    messages.success(request, SUCCESS[action])
    return redirect("hazards:hazard_detail", pk=hazard.pk)
