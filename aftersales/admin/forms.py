"""Forms of the after-sales admin: shape checks only. Whether an answer is allowed now (the case's
state, the amounts, the units left) is aftersales.services' business; these forms offer what
applies and hand the values over as they are."""

from django import forms
from django.utils.translation import gettext_lazy as _

from logistics.models import Carrier
from orders.forms import new_idempotency_key

from ..forms import PhotosField
from ..models import AfterSalesCase, CaseReason, CaseType, ReturnAddress, Stage
from ..selectors import SubOrderOptions, types_for_stage

# --- data ops maintain -------------------------------------------------------------------------


class CaseReasonForm(forms.ModelForm):
    """Stages and types are JSON lists on the model; ops tick them as boxes."""

    stages = forms.MultipleChoiceField(
        label=_("Stages"),
        choices=Stage.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Where the sub-order is when the shopper may choose this reason."),
    )
    types = forms.MultipleChoiceField(
        label=_("Types"),
        choices=CaseType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of request this reason may be given for."),
    )

    class Meta:
        model = CaseReason
        fields = (
            "code",
            "label",
            "stages",
            "types",
            "responsibility",
            "evidence_required",
            "is_no_reason",
            "is_active",
            "position",
        )

    def clean_stages(self):
        # Stored in the order of Stage, whatever order the boxes were ticked in.
        chosen = set(self.cleaned_data["stages"])
        return [value for value in Stage.values if value in chosen]

    def clean_types(self):
        chosen = set(self.cleaned_data["types"])
        return [value for value in CaseType.values if value in chosen]


class ReturnAddressForm(forms.ModelForm):
    class Meta:
        model = ReturnAddress
        fields = ("merchant", "warehouse", "recipient", "phone", "address")

    def clean(self):
        cleaned = super().clean()
        merchant, warehouse = cleaned.get("merchant"), cleaned.get("warehouse")
        if merchant is not None and warehouse is not None and warehouse.merchant_id != merchant.pk:
            self.add_error("warehouse", _("Choose one of this merchant's warehouses."))
        return cleaned


# --- the merchant's answers ----------------------------------------------------------------------


class ApproveForm(forms.Form):
    intercept = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Intercept the parcel"),
        help_text=_(
            "Ask the carrier to bring the parcel back; otherwise the shopper refuses it "
            "at the door or sends it back."
        ),
    )
    note = forms.CharField(max_length=255, required=False, label=_("Note (optional)"))


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=255,
        label=_("Reason the shopper will read"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photos = PhotosField(
        label=_("Evidence"),
        help_text=_("A photo is needed unless you made the shopper an offer first."),
    )


class OfferForm(forms.Form):
    type = forms.ChoiceField(label=_("Solution"))
    refund_amount = forms.DecimalField(
        label=_("Refund amount (¥)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Left empty for an exchange."),
    )
    note = forms.CharField(max_length=255, required=False, label=_("Note (optional)"))

    def __init__(self, *args, case: AfterSalesCase, **kwargs):
        super().__init__(*args, **kwargs)
        possible = types_for_stage(case.stage)
        self.fields["type"].choices = [
            (value, label) for value, label in CaseType.choices if value in possible
        ]


class ReceiveReturnForm(forms.Form):
    resellable = forms.TypedChoiceField(
        choices=(("yes", _("Resellable: back to stock")), ("no", _("Damaged: not back to stock"))),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label=_("Condition"),
    )


def active_carriers():
    return Carrier.objects.filter(active=True).order_by("name")


class ReshipForm(forms.Form):
    carrier = forms.ModelChoiceField(
        queryset=Carrier.objects.none(), to_field_name="code", empty_label=None, label=_("Carrier")
    )
    tracking_no = forms.CharField(max_length=40, label=_("Tracking number"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].queryset = active_carriers()


class MessageForm(forms.Form):
    text = forms.CharField(
        max_length=2000,
        required=False,
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField()


# --- operations ----------------------------------------------------------------------------------


class DecideForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        choices=(
            (APPROVE, _("Approve: refund the shopper")),
            (REJECT, _("Reject: close the case")),
        ),
        widget=forms.RadioSelect,
    )
    refund_amount = forms.DecimalField(
        label=_("Refund amount (¥)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Empty: the amount asked for. Lower: a partial refund."),
    )
    platform_funded = forms.BooleanField(required=False, label=_("At the platform's cost"))
    note = forms.CharField(
        max_length=255,
        label=_("Decision the shopper and merchant will read"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @property
    def approves(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE


class RequestEvidenceForm(forms.Form):
    party = forms.ChoiceField(choices=AfterSalesCase.Party.choices, label=_("Ask"))
    note = forms.CharField(max_length=255, label=_("What evidence is needed"))


# --- pages of their own ----------------------------------------------------------------------


class OutOfStockForm(forms.Form):
    line = forms.TypedChoiceField(coerce=int, label=_("Item"))
    quantity = forms.IntegerField(min_value=1, initial=1, label=_("Units missing"))
    reason = forms.CharField(
        max_length=255,
        label=_("Reason the shopper will read"),
        initial=_("Out of stock at the warehouse"),
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [
            (
                line.pk,
                _("%(sku)s %(product)s (%(count)d to ship)")
                % {
                    "sku": line.sku_code,
                    "product": line.product_title,
                    "count": line.quantity - line.refunded_quantity,
                },
            )
            for line in lines
            if line.quantity - line.refunded_quantity > 0
        ]


class SubOrderLookupForm(forms.Form):
    sub_order_no = forms.CharField(max_length=32, label=_("Sub-order number"))


class OpenForShopperForm(forms.Form):
    """A case ops open for a shopper who called in: a quantity per line (0 leaves it out)."""

    type = forms.ChoiceField(label=_("Request"), widget=forms.RadioSelect)
    reason = forms.ChoiceField(label=_("Reason"))
    refund_amount = forms.DecimalField(
        label=_("Refund amount (¥)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Empty: everything the chosen units can give back."),
    )
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label=_("Evidence"))
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, options: SubOrderOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["type"].choices = [
            (value, label) for value, label in CaseType.choices if value in options.types
        ]
        self.fields["reason"].choices = [("", _("Choose a reason"))] + [
            (reason.code, reason.label) for reason in options.reasons
        ]
        self.rooms = [room for room in options.rooms if room.refundable_quantity > 0]
        for room in self.rooms:
            self.fields[self.quantity_field(room)] = forms.IntegerField(
                label=f"{room.line.sku_code} {room.line.product_title}",
                min_value=0,
                max_value=room.refundable_quantity,
                initial=room.refundable_quantity,
            )
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())
            if len(options.types) == 1:
                self.initial.setdefault("type", options.types[0])

    @staticmethod
    def quantity_field(room) -> str:
        return f"quantity_{room.line.pk}"

    def quantity_rows(self):
        return [(room, self[self.quantity_field(room)]) for room in self.rooms]

    def lines(self) -> list[dict]:
        return [
            {"sku_id": room.line.sku_id, "quantity": self.cleaned_data[self.quantity_field(room)]}
            for room in self.rooms
            if self.cleaned_data.get(self.quantity_field(room))
        ]

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(self.quantity_field(room)) for room in self.rooms):
            raise forms.ValidationError(_("Choose how many of which item the case is about."))
        return cleaned


class CancelPaidOrderForm(forms.Form):
    order_no = forms.CharField(max_length=32, label=_("Order number"))
    reason = forms.CharField(
        max_length=255, required=False, initial=_("Cancelled by the shopper on the phone")
    )


class ParcelLookupForm(forms.Form):
    parcel = forms.CharField(max_length=40, label=_("Parcel number or tracking number"))
