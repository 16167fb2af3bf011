from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from notifications.models import PushRule
        from notifications.receivers import on_domain_event
        from notifications.selectors import push_rules_forget
        from shop.events import domain_event

        domain_event.connect(on_domain_event, dispatch_uid="notifications.outbox")
        post_save.connect(push_rules_forget, sender=PushRule, dispatch_uid="rules.saved")
        post_delete.connect(push_rules_forget, sender=PushRule, dispatch_uid="rules.deleted")
