from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self):
        from catalog.product_page import register_product_section
        from reviews.product_page import product_reviews_section

        # The product page (catalog) shows the reviews without catalog importing this app.
        register_product_section(product_reviews_section)
