from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from notifications.receivers import on_domain_event
        from shop.events import domain_event

        domain_event.connect(on_domain_event, dispatch_uid="notifications.outbox")
