"""Storefront forms: they only shape input; the services validate and write."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shop.regions import PROVINCE_CHOICES, region_names


class SignInForm(AuthenticationForm):
    """Django's sign-in form (username, password) with the shop's error wording."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password."),
    }


class SignUpForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
        label=_("Username"),
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Repeat password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    phone = forms.CharField(
        max_length=20,
        required=False,
        label=_("Mobile (optional)"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class ProfileForm(forms.Form):
    """The contact details a shopper may change; `services.profile_update` validates them."""

    phone = forms.CharField(
        max_length=20,
        required=False,
        label=_("Mobile"),
        help_text=_("11-digit mainland mobile number; leave empty to remove it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        max_length=254,
        required=False,
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,  # a form without it (an older page) leaves the language as it is
        label=_("Language of my messages"),
        help_text=_("Pushes, SMS and inbox messages are written in this language."),
    )


class AddressForm(forms.Form):
    recipient = forms.CharField(max_length=64, label=_("Recipient"))
    phone = forms.CharField(
        max_length=20,
        label=_("Mobile"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    # City and district are typed, with the division data's names offered as the shopper types
    # (a datalist, static/js/region-picker.js); the address services check them on saving.
    province = forms.ChoiceField(
        label=_("Province"),
        choices=[("", _("— choose —"))] + PROVINCE_CHOICES,
        widget=forms.Select(attrs={"data-region": "province"}),
    )
    city = forms.CharField(
        max_length=64,
        label=_("City"),
        widget=forms.TextInput(
            attrs={"list": "region-cities", "autocomplete": "off", "data-region": "city"}
        ),
    )
    district = forms.CharField(
        max_length=64,
        required=False,
        label=_("District"),
        widget=forms.TextInput(
            attrs={"list": "region-districts", "autocomplete": "off", "data-region": "district"}
        ),
    )

    def region_options(self) -> dict[str, list[str]]:
        """The cities and districts to offer for what the form holds now (before any script)."""
        province = self["province"].value() or ""
        city = self["city"].value() or ""
        return {
            "city_names": region_names(province=province) if province else [],
            "district_names": region_names(province=province, city=city) if city else [],
        }

    detail = forms.CharField(max_length=255, label=_("Street address"))
    is_default = forms.BooleanField(required=False, label=_("Use as my default address"))
