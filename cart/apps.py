from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"
    verbose_name = "Cart"

    def ready(self):
        from cart import signals  # noqa: F401  (the session cart merges in at sign-in)
