"""Forms of the after-sales pages: shape checks only. Which types, reasons, quantities and amounts
are allowed is aftersales.services' business (case_create checks all of it again under the
sub-order's lock); the request form only offers what selectors.sub_order_options says applies."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from orders.forms import new_idempotency_key
from shop.money import ZERO

from .models import CaseType, Stage
from .selectors import SubOrderOptions


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each one is checked by services.evidence_upload."""

    widget = MultipleFileInput(attrs={"accept": "image/*,video/mp4", "multiple": True})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > settings.AFTERSALES_MAX_EVIDENCE:
            raise forms.ValidationError(
                _("At most %(count)d files at a time.")
                % {"count": settings.AFTERSALES_MAX_EVIDENCE}
            )
        return list(files)


class CaseRequestForm(forms.Form):
    """The shopper's request on one sub-order: a quantity per line (0 leaves it out)."""

    type = forms.ChoiceField(label=_("What do you want?"), widget=forms.RadioSelect)
    reason = forms.ChoiceField(label=_("Reason"))
    refund_amount = forms.DecimalField(
        label=_("Refund amount (¥)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Optional")}),
    )
    photos = PhotosField()
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, options: SubOrderOptions, only_line_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["type"].choices = [
            (value, label) for value, label in CaseType.choices if value in options.types
        ]
        self.fields["reason"].choices = [("", _("Choose a reason"))] + [
            (reason.code, reason.label) for reason in options.reasons
        ]
        self.rooms = [room for room in options.rooms if room.line.quantity]
        for room in self.rooms:
            self.fields[self.quantity_field(room)] = forms.IntegerField(
                label=room.line.product_title,
                min_value=0,
                max_value=room.refundable_quantity,
                initial=(room.refundable_quantity if only_line_id in (None, room.line.pk) else 0),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        # The amount shown first: everything the preselected units can give back (with their
        # shipping before anything shipped, as sub_order_options counts it). Sent back as it
        # is, it means "the maximum" (case_create prices it for the units and reason chosen).
        self.default_amount = self._maximum(self.initial_quantities())
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())
            if len(options.types) == 1:
                self.initial.setdefault("type", options.types[0])
            self.initial.setdefault("refund_amount", self.default_amount)

    @staticmethod
    def quantity_field(room) -> str:
        return f"quantity_{room.line.pk}"

    def initial_quantities(self) -> dict[int, int]:
        return {room.line.pk: self.fields[self.quantity_field(room)].initial for room in self.rooms}

    def _maximum(self, quantities: dict[int, int]):
        with_shipping = self.options.stage == Stage.NOT_SHIPPED
        return sum(
            (
                room.amounts_for(quantities[room.line.pk], with_shipping=with_shipping)[0]
                for room in self.rooms
                if quantities.get(room.line.pk)
            ),
            ZERO,
        )

    def amount_to_ask(self):
        """The amount to ask for: None (the maximum) for an exchange or the default left as
        it was."""
        amount = self.cleaned_data.get("refund_amount")
        if self.cleaned_data.get("type") == CaseType.EXCHANGE or amount == self.default_amount:
            return None
        return amount

    def quantity_rows(self):
        """(room, bound field, no-reason return allowed) per line, for the template."""
        return [
            (
                room,
                self[self.quantity_field(room)],
                self.options.no_reason_skus.get(room.line.sku_id, True),
            )
            for room in self.rooms
        ]

    def reason_rows(self):
        """The reasons with what the page's script filters them by."""
        return [
            {
                "reason": reason,
                "types": " ".join(reason.types),
                "selected": str(self["reason"].value() or "") == reason.code,
            }
            for reason in self.options.reasons
        ]

    def amount_table(self):
        """{line pk: [[goods only, with shipping] per quantity 0..refundable]} for the page's
        script, so the amount it suggests is the one case_create computes, to the cent."""
        return {
            str(room.line.pk): [
                [
                    str(room.amounts_for(q, with_shipping=False)[0]),
                    str(room.amounts_for(q, with_shipping=True)[0]),
                ]
                for q in range(room.refundable_quantity + 1)
            ]
            for room in self.rooms
        }

    def clean(self):
        cleaned = super().clean()
        if self.rooms and not any(cleaned.get(self.quantity_field(room)) for room in self.rooms):
            raise forms.ValidationError("Choose how many of which item this request is about.")
        return cleaned

    def lines(self) -> list[dict]:
        return [
            {"sku_id": room.line.sku_id, "quantity": self.cleaned_data[self.quantity_field(room)]}
            for room in self.rooms
            if self.cleaned_data.get(self.quantity_field(room))
        ]


class CaseMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("Write to the merchant")}),
    )
    photos = PhotosField()


class CaseAppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should the platform step in?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = PhotosField()


class ReturnShipmentForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=40)

    def __init__(self, *args, carriers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.carriers = list(carriers)
        self.fields["carrier"].choices = [(c.code, c.name) for c in self.carriers]
        hints = [c.tracking_example for c in self.carriers if c.tracking_example]
        if hints:
            self.fields["tracking_no"].widget.attrs["placeholder"] = f"e.g. {hints[0]}"
