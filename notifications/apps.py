from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications.receivers import on_domain_event
        from shop.events import domain_event

        domain_event.connect(on_domain_event, dispatch_uid="notifications.outbox")
