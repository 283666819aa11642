"""The inspection form: the visit, one answer card per checklist item, extra hazards."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from config.inputs import DESCRIPTION, deadline_field, text_field
from hazards.models import Category, Severity
from hazards.photos import PhotosField
from inspections.models import ChecklistItem, Inspection


class InspectionForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=_("Kind of visit"), choices=Inspection.Kind.choices, initial=Inspection.Kind.ROUTINE
    )
    notes = text_field(_("Notes"), max_length=DESCRIPTION)


class FindingFields(forms.Form):
    """What every hazard on the form has: where, by when, photos, fixed on the spot."""

    description = text_field(_("What is wrong"), max_length=DESCRIPTION)
    location = forms.CharField(label=_("Where on the premises"), required=False, max_length=100)
    rectify_by = deadline_field(_("Fix by"), required=False)
    photos = PhotosField(label=_("Photos of the hazard"))
    fixed_on_spot = forms.BooleanField(label=_("Fixed on the spot"), required=False)
    fix_photos = PhotosField(label=_("Photo of the fix"))

    checklist_item: ChecklistItem | None = None

    def __init__(self, *args, today: date, **kwargs):
        self.today = today
        self.kept: dict[str, list] = {"photos": [], "fix_photos": []}
        super().__init__(*args, **kwargs)

    @property
    def is_finding(self) -> bool:
        raise NotImplementedError

    def hazard_category(self) -> str:
        raise NotImplementedError

    def severity(self) -> str:
        raise NotImplementedError

    def default_deadline(self) -> date:
        raise NotImplementedError

    def clean_finding(self, cleaned: dict) -> None:
        if not cleaned.get("rectify_by"):
            cleaned["rectify_by"] = self.default_deadline()
        elif cleaned["rectify_by"] < self.today:
            self.add_error("rectify_by", _("The deadline cannot be in the past."))
        if cleaned.get("fixed_on_spot") and self.severity() == Severity.MAJOR:
            self.add_error(
                "fixed_on_spot", _("A major hazard cannot be closed on the spot; it is verified.")
            )
        if cleaned.get("fixed_on_spot"):
            # Fixed on the spot means the deadline is today, whatever the item's default.
            cleaned["rectify_by"] = self.today


class AnswerForm(FindingFields):
    """One checklist item: pass / fail / not applicable; a fail becomes a hazard."""

    PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "na"
    answer = forms.ChoiceField(
        label=_("Answer"),
        choices=[(PASS, _("Pass")), (FAIL, _("Fail")), (NOT_APPLICABLE, _("N/A"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer this item: pass, fail or not applicable.")},
    )
    major_condition = forms.BooleanField(required=False)

    def __init__(self, *args, item: ChecklistItem, **kwargs):
        self.item = self.checklist_item = item
        super().__init__(*args, **kwargs)
        self.fields["rectify_by"].initial = self.default_deadline()
        if item.severity == ChecklistItem.ItemSeverity.CONDITIONAL:
            self.fields["major_condition"].label = _("Major hazard: %(condition)s") % {
                "condition": item.major_when
            }
        else:
            del self.fields["major_condition"]
        if item.severity == ChecklistItem.ItemSeverity.MAJOR:
            self.fields["fixed_on_spot"].disabled = True

    @property
    def is_finding(self) -> bool:
        return self.is_bound and self.data.get(self.add_prefix("answer")) == self.FAIL

    def severity(self) -> str:
        if self.item.severity == ChecklistItem.ItemSeverity.MAJOR:
            return Severity.MAJOR
        if self.item.severity == ChecklistItem.ItemSeverity.CONDITIONAL and (
            self.cleaned_data.get("major_condition")
        ):
            return Severity.MAJOR
        return Severity.GENERAL

    def hazard_category(self) -> str:
        return self.item.category

    def default_deadline(self) -> date:
        return self.today + timedelta(days=self.item.default_days)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") == self.FAIL:
            cleaned["description"] = cleaned.get("description") or self.item.text
            self.clean_finding(cleaned)
        return cleaned


class ExtraHazardForm(FindingFields):
    """A hazard not on the checklist."""

    category = forms.ChoiceField(
        label=_("Category"), choices=Category.choices, initial=Category.OTHER
    )
    major = forms.BooleanField(label=_("Major hazard"), required=False)

    field_order = ["category", "description", "major"]

    @property
    def is_finding(self) -> bool:
        return self.is_bound and self.has_changed()

    def has_changed(self) -> bool:
        # The category select always posts a value; an extra hazard exists once it has words
        # or photos.
        return bool(
            (self.data.get(self.add_prefix("description")) or "").strip()
            or self.files.get(self.add_prefix("photos"))
            or self.data.get(self.add_prefix("photos_kept"))
        )

    def hazard_category(self) -> str:
        return self.cleaned_data["category"]

    def severity(self) -> str:
        return Severity.MAJOR if self.cleaned_data.get("major") else Severity.GENERAL

    def default_deadline(self) -> date:
        days = 30 if self.severity() == Severity.MAJOR else 7
        return self.today + timedelta(days=days)

    def clean(self):
        cleaned = super().clean()
        if not self.is_finding:
            return cleaned
        if not (cleaned.get("description") or "").strip():
            self.add_error("description", _("Describe the hazard."))
        self.clean_finding(cleaned)
        return cleaned


class BaseExtraHazardFormSet(forms.BaseFormSet):
    def __init__(self, *args, today: date, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"today": self.today}


ExtraHazardFormSet = forms.formset_factory(
    ExtraHazardForm, formset=BaseExtraHazardFormSet, extra=1, max_num=10, absolute_max=10
)
