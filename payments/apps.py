from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from payments.receivers import on_domain_event
        from shop.events import domain_event

        domain_event.connect(on_domain_event, dispatch_uid="payments.close_open_payments")
