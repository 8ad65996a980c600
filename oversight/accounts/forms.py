"""Forms for signing in and adding users. Messages follow the GOV.UK error message style."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate

from oversight.accounts.models import Organisation, Role


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your user name"})
    password = forms.CharField(strip=False, error_messages={"required": "Enter your password"})

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: Any = None
        self.authentication_failed = False
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        self.user = authenticate(self.request, username=data["username"],
                                 password=data["password"])
        if self.user is None:
            self.authentication_failed = True
            raise forms.ValidationError(
                "Enter a correct user name and password (both are case-sensitive)")
        return data


class UserAddForm(forms.Form):
    username = forms.CharField(max_length=150,
                               error_messages={"required": "Enter a user name"})
    email = forms.EmailField(required=False, error_messages={
        "invalid": "Enter an email address in the correct format, like name@example.com"})
    role = forms.ChoiceField(choices=Role.choices,
                             error_messages={"required": "Choose a role",
                                             "invalid_choice": "Choose a role"})
    organisation = forms.ChoiceField(required=False, choices=())
    password = forms.CharField(strip=False, min_length=8, error_messages={
        "required": "Enter a password",
        "min_length": "Password must be 8 characters or more"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "None")] + [
            (o.slug, o.name) for o in Organisation.objects.order_by("name")]
