"""Filing a visit from the phone: the checklist, hazards with photos, the summary."""

import re
import uuid
from datetime import datetime, timedelta
from itertools import groupby

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hazards import rights, workflow
from hazards.drafts import keep_uploads
from hazards.models import Category, HazardPhoto
from inspections.access import get_inspection_for
from inspections.filing import Finding, file_inspection
from inspections.forms import AnswerForm, ExtraHazardFormSet, InspectionForm
from inspections.models import ChecklistItem, Inspection
from premises.access import get_premises_for
from premises.models import Premises

ANSWER_KEY = re.compile(r"^item-(\d+)-answer$")
Stage = HazardPhoto.Stage


class InspectionPage:
    """The inspection form, one answer form per applicable item, and the extra hazards."""

    def __init__(self, *, premises: Premises, today, data=None, files=None):
        self.premises = premises
        self.items = list(ChecklistItem.objects.applicable_to(premises))
        self.data = data
        initial = {"idempotency_key": uuid.uuid4()}
        self.form = InspectionForm(data, initial=initial)
        self.answers = [
            AnswerForm(data, files, prefix=f"item-{item.pk}", item=item, today=today)
            for item in self.items
        ]
        self.extras = ExtraHazardFormSet(data, files, prefix="extra", today=today)
        self.problems: list[str] = []
        self.kept: dict[str, list[HazardPhoto]] = {}

    @property
    def groups(self):
        labels = dict(Category.choices)
        keyed = groupby(self.answers, key=lambda form: form.item.category)
        return [(labels.get(code, code), list(forms)) for code, forms in keyed]

    def finding_forms(self):
        return [f for f in self.answers if f.is_finding] + [
            f for f in self.extras.forms if f.is_finding
        ]

    def _forged_items(self) -> bool:
        known = {item.pk for item in self.items}
        posted = {int(m.group(1)) for key in self.data if (m := ANSWER_KEY.match(key))}
        return bool(posted - known)

    def _keep_photos(self, *, user, key) -> None:
        for form in self.finding_forms():
            form.kept = {
                "photos": keep_uploads(form, "photos", stage=Stage.FINDING, user=user, key=key),
                "fix_photos": keep_uploads(
                    form, "fix_photos", stage=Stage.RECTIFICATION, user=user, key=key
                ),
            }
            if form.cleaned_data.get("fixed_on_spot") and not form.kept["fix_photos"]:
                form.add_error("fix_photos", _("Add a photo of the fix to close it on the spot."))

    def is_valid(self, *, user) -> bool:
        # Validate every form (no short-circuit) so each shows its own errors at once.
        results = [self.form.is_valid(), self.extras.is_valid()]
        results += [form.is_valid() for form in self.answers]
        valid = all(results)
        if self._forged_items():
            self.problems.append(_("The form named a checklist item that does not apply here."))
        key = self.form.cleaned_data.get("idempotency_key")
        if key:
            self._keep_photos(user=user, key=key)
        forms = [*self.answers, *self.extras.forms]
        return valid and not self.problems and not any(f.errors for f in forms)

    def findings(self) -> list[Finding]:
        return [
            Finding(
                category=form.hazard_category(),
                description=form.cleaned_data["description"],
                severity=form.severity(),
                rectify_by=form.cleaned_data["rectify_by"],
                checklist_item=form.checklist_item,
                location=form.cleaned_data.get("location", ""),
                fixed_on_spot=bool(form.cleaned_data.get("fixed_on_spot")),
                photo_ids=[p.pk for p in form.kept["photos"]],
                fix_photo_ids=[p.pk for p in form.kept["fix_photos"]],
            )
            for form in self.finding_forms()
        ]


def inspection_new(request, premises_pk: int):
    if request.method == "POST" and wants_json(request):
        return inspection_new_json(request, premises_pk)
    premises = get_premises_for(
        request.user,
        premises_pk,
        queryset=Premises.objects.select_related("grid__village", "business_type"),
    )
    if not rights.can_report(request.user, premises):
        raise PermissionDenied(_("You may not inspect this premises."))
    if premises.status != Premises.Status.OPERATING:
        messages.error(
            request,
            _("%(name)s is %(status)s: only operating premises can be inspected.")
            % {"name": premises.name, "status": premises.get_status_display()},
        )
        return redirect("inspections:premises_detail", pk=premises.pk)
    today = timezone.localdate()
    if request.method != "POST":
        page = InspectionPage(premises=premises, today=today)
        return render(request, "inspections/inspection_form.html", {"page": page})
    page = InspectionPage(premises=premises, today=today, data=request.POST, files=request.FILES)
    done = _already_filed(request.POST.get("idempotency_key"))
    if done is not None:
        return redirect("inspections:inspection_detail", pk=done.pk)
    if not page.is_valid(user=request.user):
        messages.error(request, _("Some answers need attention; they are marked in red below."))
        return render(request, "inspections/inspection_form.html", {"page": page}, status=400)
    try:
        result = file_inspection(
            premises,
            by=request.user,
            idempotency_key=page.form.cleaned_data["idempotency_key"],
            findings=page.findings(),
            kind=page.form.cleaned_data["kind"],
            notes=page.form.cleaned_data["notes"],
        )
    except workflow.WorkflowError as error:
        page.problems.append(str(error))
        return render(request, "inspections/inspection_form.html", {"page": page}, status=400)
    return redirect("inspections:inspection_detail", pk=result.inspection.pk)


def _already_filed(raw_key) -> Inspection | None:
    try:
        key = uuid.UUID(str(raw_key))
    except ValueError:
        return None
    return Inspection.objects.filter(idempotency_key=key).first()


# The JSON answer for filings sent by the phone's outbox (static/js/outbox.js; docs/workflow.md,
# Offline). Same checks and the same filing as the HTML form above; only the answers differ.

OFFLINE_VISIT_WINDOW = timedelta(days=7)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _conflict(reason: str, message: str, status: int) -> JsonResponse:
    body = {"status": "conflict", "reason": reason, "message": message}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _filed(inspection: Inspection, *, created: bool) -> JsonResponse:
    url = reverse("inspections:inspection_detail", args=[inspection.pk])
    return JsonResponse({"status": "filed", "inspection": url, "created": created})


def _form_errors(page: InspectionPage) -> dict[str, list[str]]:
    """Errors by the posted field name (`item-12-answer`), so the phone can mark the field."""
    errors: dict[str, list[str]] = {}
    for form in [page.form, *page.answers, *page.extras.forms]:
        for field, messages_ in form.errors.items():
            if field == NON_FIELD_ERRORS:
                name = form.prefix or NON_FIELD_ERRORS
            else:
                name = form.add_prefix(field)
            errors.setdefault(name, []).extend(messages_)
    if page.extras.non_form_errors():
        errors["extra"] = list(page.extras.non_form_errors())
    return errors


def _visited_at(raw: str | None, now: datetime) -> datetime:
    """When the phone saved the filing: an inspection kept offline for a day was still made
    that day. Trusted within a week and never in the future; otherwise the time it arrives."""
    at = parse_datetime(raw or "")
    if at is None or timezone.is_naive(at) or not now - OFFLINE_VISIT_WINDOW <= at <= now:
        return now
    return at


def inspection_new_json(request, premises_pk: int) -> JsonResponse:
    """POST only. 200 `filed` (also for a key this user already filed: a resend after a lost
    answer files nothing twice), 400 `invalid` with the errors by field, and `conflict` with a
    message for the officer: 404 no longer in their grids, 403 not theirs to inspect, 409 not
    operating or refused by the filing."""
    done = _already_filed(request.POST.get("idempotency_key"))
    if done is not None and done.inspector_id == request.user.pk:
        return _filed(done, created=False)
    try:
        premises = get_premises_for(
            request.user,
            premises_pk,
            queryset=Premises.objects.select_related("grid__village", "business_type"),
        )
    except Http404:
        return _conflict("not_found", _("This premises is no longer in your grids."), 404)
    if not rights.can_report(request.user, premises):
        return _conflict("forbidden", _("You may not inspect this premises."), 403)
    if premises.status != Premises.Status.OPERATING:
        message = _("%(name)s is %(status)s: only operating premises can be inspected.") % {
            "name": premises.name,
            "status": premises.get_status_display(),
        }
        return _conflict("not_operating", message, 409)
    if done is not None:
        return _conflict("refused", _("This filing was already made by another user."), 409)
    now = timezone.now()
    page = InspectionPage(
        premises=premises, today=timezone.localdate(now), data=request.POST, files=request.FILES
    )
    if not page.is_valid(user=request.user):
        body = {"status": "invalid", "errors": _form_errors(page), "problems": page.problems}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    try:
        result = file_inspection(
            premises,
            by=request.user,
            idempotency_key=page.form.cleaned_data["idempotency_key"],
            findings=page.findings(),
            kind=page.form.cleaned_data["kind"],
            notes=page.form.cleaned_data["notes"],
            at=_visited_at(request.POST.get("visited_at"), now),
        )
    except workflow.WorkflowError as error:
        return _conflict("refused", str(error), 409)
    return _filed(result.inspection, created=result.created)


def inspection_detail(request, pk: int):
    inspection = get_inspection_for(request.user, pk)
    hazards = inspection.hazards.select_related("checklist_item", "notice").order_by("pk")
    notices = inspection.notices.all()
    return render(
        request,
        "inspections/inspection_detail.html",
        {"inspection": inspection, "hazards": hazards, "notices": notices},
    )
