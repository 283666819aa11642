"""Forms of the closed loop on the hazard page, one per transition.

They validate and normalise only; hazards.workflow decides who may do what and changes the
hazard. Each form has the transition's name as its prefix, so all of them fit on one page.
"""

import uuid
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from config.inputs import DESCRIPTION, PLAN, deadline_field, text_field
from grids.models import Department
from hazards.models import Hazard, HazardPhoto, Severity
from hazards.photos import PhotosField
from hazards.workflow import PLAN_FIELDS


class LoopForm(forms.Form):
    """A transition form; knows its hazard and today's date (read once per request)."""

    action: str = ""
    photo_stage: str | None = None  # forms with photos say which stage they record
    title: str = ""  # the summary the user taps to open the form
    button: str = ""
    style: str = "primary"  # Bootstrap colour of the button

    def __init__(self, *args, hazard: Hazard, today: date, **kwargs):
        self.hazard, self.today = hazard, today
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)

    def _not_past(self, name: str) -> date | None:
        value = self.cleaned_data.get(name)
        if value is not None and value < self.today:
            raise forms.ValidationError(_("The deadline cannot be in the past."))
        return value

    def workflow_kwargs(self) -> dict:
        """The keyword arguments for the workflow function, from cleaned data."""
        raise NotImplementedError

    def field_groups(self) -> list:
        """(legend, bound fields) to render; the photos field is rendered by the page."""
        return [(None, [f for f in self.visible_fields() if f.name != "photos"])]


class PhotoLoopForm(LoopForm):
    """A transition with photos kept as drafts under `key` when the form comes back."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    photos_required = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.kept: list = []


class VerifyForm(LoopForm):
    action = "verify"
    title = _("Verify the hazard")
    button = _("Verify and start rectification")
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    severity_reason = text_field(
        _("Why the severity changes"),
        help_text=_("Required when the severity differs from the one reported."),
    )
    rectify_by = deadline_field(_("Fix by"))
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("None"),
    )
    note = text_field(_("Note"))
    plan_measures = text_field(_("Treatment measures"), max_length=PLAN)
    plan_funds = forms.DecimalField(
        label=_("Funds (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    plan_responsible = forms.CharField(label=_("Person responsible"), required=False, max_length=60)
    plan_deadline = deadline_field(_("Treatment deadline"), required=False)
    interim_measures = text_field(_("Interim safety measures"), max_length=PLAN)
    emergency_plan = text_field(_("Emergency plan"), max_length=PLAN)

    def __init__(self, *args, hazard: Hazard, **kwargs):
        initial = {name: getattr(hazard, name) for name in PLAN_FIELDS}
        initial |= {
            "severity": hazard.severity,
            "rectify_by": hazard.rectify_by,
            "department": hazard.department_id,
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, hazard=hazard, **kwargs)

    def field_groups(self) -> list:
        plan = [self[name] for name in PLAN_FIELDS]
        main = [f for f in self.visible_fields() if f.name not in PLAN_FIELDS]
        return [
            (None, main),
            (_("Major-hazard treatment plan (required for a major hazard)"), plan),
        ]

    @property
    def plan_open(self) -> bool:
        severity = self["severity"].value()
        return severity == Severity.MAJOR or any(name in self.errors for name in PLAN_FIELDS)

    def clean_rectify_by(self):
        return self._not_past("rectify_by")

    def clean(self):
        cleaned = super().clean()
        changed = cleaned.get("severity") not in (None, self.hazard.severity)
        if changed and not cleaned.get("severity_reason", "").strip():
            self.add_error("severity_reason", _("Give the reason for changing the severity."))
        if cleaned.get("severity") == Severity.MAJOR:
            for name in PLAN_FIELDS:
                if cleaned.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, _("A major hazard needs this part of its plan."))
        return cleaned

    def workflow_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "severity": data["severity"],
            "rectify_by": data["rectify_by"],
            "department": data["department"],
            "plan": {name: data[name] for name in PLAN_FIELDS},
            "note": data["note"],
            "severity_reason": data["severity_reason"],
        }


class DismissForm(LoopForm):
    action = "dismiss"
    title = _("Dismiss (not a hazard)")
    button = _("Dismiss")
    style = "secondary"
    reason = text_field(_("Reason for dismissing"), required=True)

    def workflow_kwargs(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class SubmitFixForm(PhotoLoopForm):
    action = "submit_fix"
    title = _("Submit the fix")
    button = _("Submit fix for review")
    photo_stage = HazardPhoto.Stage.RECTIFICATION
    photos_required = True
    photos = PhotosField(label=_("Photos of the fix"))
    note = text_field(_("What was done"), max_length=DESCRIPTION)

    def workflow_kwargs(self) -> dict:
        return {"note": self.cleaned_data["note"]}


class AcceptForm(PhotoLoopForm):
    action = "accept"
    title = _("Accept the fix and close")
    button = _("Accept and close")
    style = "success"
    photo_stage = HazardPhoto.Stage.REVIEW
    note = text_field(_("Review note"))
    photos = PhotosField(label=_("Review photos (optional)"))

    def workflow_kwargs(self) -> dict:
        return {"note": self.cleaned_data["note"]}


class RejectForm(PhotoLoopForm):
    action = "reject"
    title = _("Reject the fix")
    button = _("Reject the fix")
    style = "danger"
    photo_stage = HazardPhoto.Stage.REVIEW
    reason = text_field(_("What is still wrong"), required=True)
    rectify_by = deadline_field(
        _("New deadline"), required=False, help_text=_("Leave empty to keep the deadline.")
    )
    photos = PhotosField(label=_("Review photos (optional)"))

    def clean_rectify_by(self):
        return self._not_past("rectify_by")

    def workflow_kwargs(self) -> dict:
        return {
            "reason": self.cleaned_data["reason"],
            "rectify_by": self.cleaned_data["rectify_by"],
        }


class ExtendForm(LoopForm):
    action = "extend"
    title = _("Extend the deadline")
    button = _("Extend the deadline")
    style = "secondary"
    rectify_by = deadline_field(_("New deadline"))
    reason = text_field(_("Reason for the extension"), required=True)

    def clean_rectify_by(self):
        value = self.cleaned_data["rectify_by"]
        if value <= self.hazard.rectify_by:
            raise forms.ValidationError(_("The new deadline must be later than the old one."))
        return value

    def workflow_kwargs(self) -> dict:
        return {
            "rectify_by": self.cleaned_data["rectify_by"],
            "reason": self.cleaned_data["reason"],
        }


class EscalateForm(LoopForm):
    action = "escalate"
    title = _("Hand over to a department")
    button = _("Hand over")
    style = "warning"
    department = forms.ModelChoiceField(label=_("Hand over to"), queryset=Department.objects.all())
    note = text_field(_("Why it is handed over"))

    def __init__(self, *args, hazard: Hazard, **kwargs):
        kwargs.setdefault("initial", {"department": hazard.department_id})
        super().__init__(*args, hazard=hazard, **kwargs)

    def workflow_kwargs(self) -> dict:
        return {"department": self.cleaned_data["department"], "note": self.cleaned_data["note"]}


LOOP_FORMS: dict[str, type[LoopForm]] = {
    form.action: form
    for form in (
        VerifyForm,
        DismissForm,
        SubmitFixForm,
        AcceptForm,
        RejectForm,
        ExtendForm,
        EscalateForm,
    )
}
