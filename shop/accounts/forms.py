"""Storefront forms: they only shape input; the services validate and write."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from shop.regions import PROVINCE_CHOICES


class SignInForm(AuthenticationForm):
    """Django's sign-in form (username, password) with the shop's error wording."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Wrong username or password.",
    }


class SignUpForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        help_text="Letters, digits and @ . + - _ only.",
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label="Repeat password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    phone = forms.CharField(
        max_length=20,
        required=False,
        label="Mobile (optional)",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return cleaned


class ProfileForm(forms.Form):
    """The contact details a shopper may change; `services.profile_update` validates them."""

    phone = forms.CharField(
        max_length=20,
        required=False,
        label="Mobile",
        help_text="11-digit mainland mobile number; leave empty to remove it.",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        max_length=254,
        required=False,
        label="Email",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AddressForm(forms.Form):
    recipient = forms.CharField(max_length=64)
    phone = forms.CharField(
        max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})
    )
    province = forms.ChoiceField(choices=[("", "— choose —")] + PROVINCE_CHOICES)
    city = forms.CharField(max_length=64)
    district = forms.CharField(max_length=64, required=False)
    detail = forms.CharField(max_length=255, label="Street address")
    is_default = forms.BooleanField(required=False, label="Use as my default address")
