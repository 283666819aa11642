"""Users as registry admins manage them: details, roles and passwords — never superuser rights
or raw permissions (only a superuser grants those, in the Django admin)."""

import re
from copy import copy

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class RegistryUserForm(forms.ModelForm):
    """A user's details and roles; a new password only when one is typed."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    password1 = forms.CharField(
        label=_("New password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["roles"].initial = list(self.instance.groups.values_list("name", flat=True))

    def clean_phone(self) -> str:
        phone = "".join(self.cleaned_data["phone"].split())
        if phone and not MOBILE_RE.match(phone):
            raise forms.ValidationError(_("Enter an 11-digit mobile number."), code="phone")
        return phone

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first or second:
            if first != second:
                self.add_error("password2", _("The two passwords differ."))
            else:
                # The user as it will be saved: a new password like its new username is refused.
                user = copy(self.instance)
                for name in self._meta.fields:
                    if name in cleaned:
                        setattr(user, name, cleaned[name])
                try:
                    password_validation.validate_password(first, user)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned

    @transaction.atomic
    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if self.cleaned_data.get("password1"):
            user.set_password(self.cleaned_data["password1"])
        user.save()
        user.groups.set(Group.objects.filter(name__in=self.cleaned_data["roles"]))
        user.__dict__.pop("role_codes", None)  # forget the roles read before the change
        return user


class RegistryUserCreateForm(RegistryUserForm):
    """A new user signs in with the password the admin sets here."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            self.fields[name].required = True
        self.fields["password1"].label = _("Password")
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()
        self.fields["password2"].label = _("Password again")


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("All roles")), *Role.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    active = forms.ChoiceField(
        label=_("Active"),
        choices=[("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
