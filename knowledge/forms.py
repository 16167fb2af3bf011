from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContactRequest


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])
    comment = forms.CharField(
        label=_("What was missing? (optional)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ContactForm(forms.Form):
    recipient = forms.ChoiceField(
        label=_("Who should answer"),
        choices=ContactRequest.Recipient.choices,
        widget=forms.RadioSelect,
    )
    sub_order = forms.ChoiceField(label=_("About the order"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=120)
    message = forms.CharField(label=_("Message"), max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, sub_orders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._sub_orders = {s.sub_order_no: s for s in sub_orders}
        self.fields["sub_order"].choices = [("", _("No particular order"))] + [
            (s.sub_order_no, f"{s.sub_order_no} · {s.merchant.name}") for s in sub_orders
        ]

    def clean_sub_order(self):
        return self._sub_orders.get(self.cleaned_data.get("sub_order") or "")

    def clean(self):
        data = super().clean()
        if data.get("recipient") == ContactRequest.Recipient.MERCHANT and not data.get("sub_order"):
            self.add_error("sub_order", _("Choose the order the shop should look at."))
        return data
