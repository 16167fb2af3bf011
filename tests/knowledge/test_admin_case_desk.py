"""Knowledge extends the after-sales case admins with its service desk (it sits above
after-sales, which does not import it): the registered case admins are knowledge's subclasses."""

from django.contrib import admin

from aftersales.admin.appeals import AppealQueueAdmin
from aftersales.admin.cases import AfterSalesCaseAdmin
from aftersales.models import AfterSalesCase, AppealQueue
from knowledge.admin_desk import ServiceDeskMixin


def test_the_case_admins_are_registered_with_the_service_desk():
    for model, base in ((AfterSalesCase, AfterSalesCaseAdmin), (AppealQueue, AppealQueueAdmin)):
        registered = admin.site._registry[model]
        assert isinstance(registered, base)
        assert isinstance(registered, ServiceDeskMixin)


def test_the_desk_urls_and_the_case_urls_are_both_there():
    names = {
        pattern.name
        for pattern in admin.site._registry[AfterSalesCase].get_urls()
        if getattr(pattern, "name", None)
    }
    assert "aftersales_aftersalescase_desk_reply" in names
    assert "aftersales_aftersalescase_act" in names
    assert "aftersales_open_for_shopper" in names
