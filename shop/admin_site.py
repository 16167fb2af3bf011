"""The shop's admin site: Django's, with a landing page per role and the staff's bell.

The index is the workbench (shop.workbench) of whoever signs in: merchant staff see their
merchant's queues and sales, platform operations the exceptions only they settle, with the app
list below for everything else. Every admin page's header carries a bell with the unread count
of the staff's inbox (merchant pushes land there) linking to the messages.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _


class ShopAdminSite(admin.AdminSite):
    index_template = "admin/workbench.html"
    site_header = _("Shop admin")
    site_title = _("Shop admin")
    index_title = _("Workbench")

    def each_context(self, request):
        from notifications.selectors import inbox_unread_count

        context = super().each_context(request)
        user = request.user
        context["bell_unread_count"] = SimpleLazyObject(lambda: inbox_unread_count(user=user))
        return context

    def index(self, request, extra_context=None):
        from catalog.actors import is_platform_staff, staff_merchant
        from shop import workbench

        extra_context = dict(extra_context or {})
        user = request.user
        if is_platform_staff(user):
            board = workbench.ops_workbench()
            extra_context.update(ops_board=board, sales_chart=workbench.sales_chart(board.sales))
        else:
            merchant = staff_merchant(user)
            if merchant is not None:
                board = workbench.merchant_workbench(merchant=merchant)
                extra_context.update(
                    merchant_board=board,
                    sales_chart=workbench.sales_chart(board.sales),
                    title=merchant.name,
                )
        return super().index(request, extra_context)


class ShopAdminConfig(AdminConfig):
    default_site = "shop.admin_site.ShopAdminSite"
