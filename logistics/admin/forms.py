"""The forms of logistics' admin pages, and the carriers they offer."""

import re

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shop.errors import DomainError

from ..carrier_rules import active_carrier
from ..models import Carrier


def active_carriers():
    return Carrier.objects.filter(active=True).order_by("name")


def default_carrier() -> Carrier | None:
    try:
        return active_carrier(None)
    except DomainError:
        return active_carriers().first()


def may_fulfil(request) -> bool:
    """Fulfilment acts on sub-orders: whoever may change sub-orders (merchant staff, ops)."""
    user = request.user
    return user.is_active and user.is_staff and user.has_perm("orders.change_suborder")


class QueueActionForm(ActionForm):
    carrier = forms.ModelChoiceField(
        queryset=Carrier.objects.none(),
        required=False,
        label=_("Carrier"),
        to_field_name="code",
        help_text=_("Packing splits parcels by this carrier's weight and volume limits."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = active_carriers()


class PackForm(forms.Form):
    carrier = forms.ModelChoiceField(
        queryset=Carrier.objects.none(), to_field_name="code", empty_label=None, label=_("Carrier")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = active_carriers()


class ShipParcelForm(forms.Form):
    shipment = forms.IntegerField(widget=forms.HiddenInput)
    carrier = forms.ModelChoiceField(
        queryset=Carrier.objects.none(), to_field_name="code", empty_label=None, label=_("Carrier")
    )
    tracking_no = forms.CharField(max_length=40, required=False, label=_("Tracking number"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = active_carriers()


ShipFormSet = forms.formset_factory(ShipParcelForm, extra=0)


class MoveUnitsForm(forms.Form):
    line = forms.TypedChoiceField(coerce=int, label=_("Item"))
    from_parcel = forms.TypedChoiceField(coerce=int, label=_("From parcel"))
    to_parcel = forms.TypedChoiceField(coerce=int, label=_("To parcel"))
    quantity = forms.IntegerField(min_value=1, initial=1, label=_("Quantity"))

    NEW_PARCEL = 0

    def __init__(self, *args, lines=(), parcels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (line.pk, f"{line.sku_code} {line.product_title}") for line in lines
        ]
        numbered = [
            (p.pk, gettext("Parcel %(number)s") % {"number": i})
            for i, p in enumerate(parcels, start=1)
        ]
        self.fields["from_parcel"].choices = numbered
        self.fields["to_parcel"].choices = [*numbered, (self.NEW_PARCEL, gettext("A new parcel"))]


class BulkShipForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (UTF-8) or Excel (.xlsx), at most 2 MB.")
    )

    MAX_BYTES = 2 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return upload


class CarrierForm(forms.ModelForm):
    class Meta:
        model = Carrier
        fields = (
            "name",
            "code",
            "tracking_pattern",
            "tracking_example",
            "max_weight_grams",
            "max_volume_cm3",
            "adapter",
            "aggregator_code",
            "active",
        )

    def clean_tracking_pattern(self):
        pattern = self.cleaned_data["tracking_pattern"]
        try:
            re.compile(pattern)
        except re.error as error:
            raise forms.ValidationError(
                gettext("Not a regular expression: %(error)s") % {"error": error}
            ) from None
        return pattern
