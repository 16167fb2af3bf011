from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalogue")

    def ready(self):
        from catalog import signals  # noqa: F401  (flash-sale copies)
        from shop.roles import ensure_role_groups_after_migrate

        post_migrate.connect(ensure_role_groups_after_migrate, sender=self)
