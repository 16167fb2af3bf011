"""The service desk on after-sales' case pages: knowledge sits above aftersales, so it extends
the case admins (a subclass with ServiceDeskMixin, registered in their place) instead of
aftersales importing knowledge. Imported by knowledge.admin, so the admin's autodiscovery
registers it whichever app's admin module loads first."""

from django.contrib import admin

from aftersales.admin.appeals import AppealQueueAdmin
from aftersales.admin.cases import AfterSalesCaseAdmin
from aftersales.models import AfterSalesCase, AppealQueue

from .admin_desk import ServiceDeskMixin


class AfterSalesCaseDeskAdmin(ServiceDeskMixin, AfterSalesCaseAdmin):
    """The merchant's case page with suggested articles, canned replies and macros."""


class AppealQueueDeskAdmin(ServiceDeskMixin, AppealQueueAdmin):
    """Operations' case page with the same desk (and "make an article from this case")."""


for model, model_admin in (
    (AfterSalesCase, AfterSalesCaseDeskAdmin),
    (AppealQueue, AppealQueueDeskAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
