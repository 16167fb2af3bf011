from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")

    def ready(self):
        from shop.events import domain_event

        from .receivers import on_domain_event

        domain_event.connect(on_domain_event, dispatch_uid="aftersales.on_domain_event")
