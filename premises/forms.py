import uuid
import warnings

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _
from PIL import Image

from config import inputs
from grids.models import Grid
from premises.models import Premises


class PremisesForm(forms.ModelForm):
    """The registry fields of a premises, normalised before the model validators run.

    Used by the admin and by the registry pages. The model validators (premises/validators.py)
    check the credit code and phone; the form adds the duplicate check on the credit code, which
    the conditional unique constraint would otherwise report as an anonymous non-field error.
    """

    class Meta:
        model = Premises
        fields = [
            "name",
            "address",
            "grid",
            "business_type",
            "tags",
            "credit_code",
            "operator_name",
            "operator_phone",
            "floor_area",
            "floors",
            "staff_count",
            "over_size_limit",
            "latitude",
            "longitude",
            "commitment_signed_on",
            "insurer",
            "insurance_policy_no",
            "insurance_expires_on",
        ]
        field_classes = {
            "commitment_signed_on": inputs.PastDateField,
            "insurance_expires_on": inputs.DateField,
        }

    def clean_credit_code(self) -> str:
        code = self.cleaned_data["credit_code"].strip().upper()
        if code and self._credit_code_taken(code):
            raise forms.ValidationError(
                _("Another premises is already registered with this credit code."),
                code="unique",
            )
        return code

    def clean_operator_phone(self) -> str:
        # People type "138 1234 5678"; the validator and the masking expect the bare number.
        return "".join(self.cleaned_data["operator_phone"].split())

    def _credit_code_taken(self, code: str) -> bool:
        others = Premises.objects.filter(credit_code=code)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        return others.exists()


class _SharedFields(dict):
    """Form fields that every instance shares instead of deep-copying them (a third of an
    import's time at 10,000 rows). Only for forms that are never rendered and never change
    their fields, such as PremisesRowForm."""

    def __deepcopy__(self, memo) -> dict:
        return dict(self)


class PremisesRowForm(PremisesForm):
    """PremisesForm for one row of an import: the same fields, validators and messages, without
    a query per row.

    A spreadsheet names grids, business types and tags instead of giving their ids, so the
    import resolves those itself from lists it loads once (premises.import_lookup); this form
    validates the rest. The credit code is checked against `codes_in_use` (code → premises id),
    loaded once per file.
    """

    class Meta(PremisesForm.Meta):
        fields = [
            name
            for name in PremisesForm.Meta.fields
            if name not in ("grid", "business_type", "tags")
        ]

    def __init__(self, *args, codes_in_use: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.codes_in_use = codes_in_use

    def _credit_code_taken(self, code: str) -> bool:
        owner = self.codes_in_use.get(code)
        return owner is not None and owner != self.instance.pk

    def _post_clean(self) -> None:
        # ModelForm._post_clean minus its database round trips (five per row): the check
        # constraints only repeat the field validators, each as a SELECT, and the one unique
        # field, the credit code, is checked above. The constraints still hold on write.
        try:
            self.instance = construct_instance(
                self, self.instance, self._meta.fields, self._meta.exclude
            )
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            self._update_errors(error)


PremisesRowForm.base_fields = _SharedFields(PremisesRowForm.base_fields)


SCAN_MAX_BYTES = 10 * 1024 * 1024
# What a commitment letter scan may be, told by its first bytes (never by its name):
# magic → (extension it is stored under, content type it is served with).
SCAN_KINDS = {
    b"%PDF-": ("pdf", "application/pdf"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
}
SCAN_CONTENT_TYPES = dict(SCAN_KINDS.values())
SCAN_MAX_PIXELS = 40_000_000  # an A4 page at 600 dpi is 35 megapixels
# Bytes a pixel may take (16-bit RGBA PNG), plus room for metadata: more hides something else.
SCAN_MAX_BYTES_PER_PIXEL = 8
SCAN_METADATA_SLACK = 256 * 1024


def scan_kind(upload: UploadedFile) -> str | None:
    """The extension the upload's content says it is ("pdf", "jpg", "png"), or None."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    extension = next(
        (ext for magic, (ext, _type) in SCAN_KINDS.items() if head.startswith(magic)), None
    )
    if extension in ("jpg", "png"):
        try:
            with Image.open(upload) as image:
                image.verify()  # a truncated or fake image fails here
        except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken image
            extension = None
        upload.seek(0)
    return extension


def scan_image_problem(upload: UploadedFile) -> forms.ValidationError | None:
    """Why a JPEG or PNG scan is refused, or None. It is stored as it is and opened by browsers,
    so it must not claim more than SCAN_MAX_PIXELS, must be mostly picture, and must decode to
    its end (a truncated JPEG passes `verify()`, not `load()`)."""
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > SCAN_MAX_PIXELS:
                    return _too_many_pixels()
                if upload.size > SCAN_METADATA_SLACK + SCAN_MAX_BYTES_PER_PIXEL * width * height:
                    return forms.ValidationError(
                        _("The file holds much more than a scan of its size; scan it again."),
                        code="file_type",
                    )
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))  # JPEG: 1/8 scale
                image.load()
    except Image.DecompressionBombError:
        return _too_many_pixels()
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for a broken image
        return forms.ValidationError(
            _("The scan is damaged or incomplete; scan it again."), code="file_type"
        )
    finally:
        upload.seek(0)
    return None


def _too_many_pixels() -> forms.ValidationError:
    return forms.ValidationError(
        _("The scan has more than 40 megapixels; scan it at a lower resolution."), code="too_big"
    )


class RegistryPremisesForm(PremisesForm):
    """The registry's create and edit form: PremisesForm plus the commitment letter's scan.

    On edit the grid is left out: moving a premises has its own page, with a reason.
    """

    commitment_scan = forms.FileField(
        label=_("Commitment letter scan"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=_("PDF, JPEG or PNG, at most 10 MB. A new file replaces the current one."),
    )

    class Meta(PremisesForm.Meta):
        fields = [*PremisesForm.Meta.fields, "commitment_scan"]
        widgets = {"tags": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["grid"]
        else:
            self.fields["grid"].queryset = Grid.objects.select_related("village")

    def clean_commitment_scan(self):
        scan = self.cleaned_data.get("commitment_scan")
        if not isinstance(scan, UploadedFile):
            return scan  # no new file: keep the one on record
        if scan.size > SCAN_MAX_BYTES:
            raise forms.ValidationError(_("The scan is larger than 10 MB."), code="too_big")
        extension = scan_kind(scan)
        if extension is None:
            raise forms.ValidationError(
                _("Upload the scan as a PDF, JPEG or PNG file."), code="file_type"
            )
        if extension != "pdf" and (problem := scan_image_problem(scan)) is not None:
            raise problem
        scan.name = f"{uuid.uuid4().hex}.{extension}"  # never the uploader's file name
        return scan


class MoveForm(forms.Form):
    grid = forms.ModelChoiceField(
        label=_("New grid"), queryset=Grid.objects.select_related("village")
    )
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Premises.Status.choices)
    reason = forms.CharField(label=_("Reason"), max_length=100, required=False)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") != Premises.Status.OPERATING
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("Say why the premises is suspended or closed."))
        return cleaned


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )
