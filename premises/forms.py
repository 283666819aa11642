from django import forms
from django.utils.translation import gettext_lazy as _

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
