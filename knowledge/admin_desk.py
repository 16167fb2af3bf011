"""The service desk next to a case in the admin (mixed into aftersales' case admins by
knowledge.admin_case_desk):
suggested articles, canned replies posted in one click, macros that act and reply, and
"make an article from this case" for operations. Every button calls knowledge.services, which
calls aftersales.services: the same checks (role, state, the merchant's own cases) apply."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from catalog.actors import actor_for, is_platform_staff, staff_merchant
from shop.errors import DomainError, NotFound

from . import selectors, services
from .models import Audience


class ServiceDeskMixin:
    def _desk_url_name(self, what: str) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_desk_{what}"

    def get_urls(self):
        view = self.admin_site.admin_view
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:pk>/desk/reply/<int:reply_id>/",
                view(self.desk_reply_view),
                name=f"{info}_desk_reply",
            ),
            path(
                "<int:pk>/desk/macro/<int:macro_id>/",
                view(self.desk_macro_view),
                name=f"{info}_desk_macro",
            ),
            path(
                "<int:pk>/desk/make-article/",
                view(self.desk_make_article_view),
                name=f"{info}_desk_make_article",
            ),
            *super().get_urls(),
        ]

    def service_desk_context(self, request, case) -> dict:
        merchant = staff_merchant(request.user)
        merchant_id = case.merchant_id if merchant is None else merchant.pk
        category_ids = selectors.sub_order_category_ids(case.sub_order)
        suggestion_args = {
            "reason_code": case.reason.code,
            "category_ids": category_ids,
            "stage": case.stage,
            "case_type": case.type,
            "text": case.description[:100],
        }
        shopper_articles = selectors.suggested_articles(**suggestion_args, language="zh-hans")
        staff_articles = selectors.suggested_articles(
            **suggestion_args, language="zh-hans", audience=Audience.MERCHANT, limit=2
        )
        if is_platform_staff(request.user):
            staff_articles += selectors.suggested_articles(
                **suggestion_args, language="zh-hans", audience=Audience.OPS, limit=2
            )
        replies = selectors.canned_replies_for(case=case, merchant_id=merchant_id)
        return {
            "articles": shopper_articles + staff_articles,
            "replies": [
                {
                    "reply": reply,
                    "text": services.canned_reply_render(reply=reply, case=case),
                    "url": reverse(self._desk_url_name("reply"), args=[case.pk, reply.pk]),
                }
                for reply in replies[:8]
            ],
            "macros": [
                {
                    "macro": macro,
                    "url": reverse(self._desk_url_name("macro"), args=[case.pk, macro.pk]),
                }
                for macro in selectors.macros_for(merchant_id=merchant_id)
            ],
            "make_article_url": (
                reverse(self._desk_url_name("make_article"), args=[case.pk])
                if is_platform_staff(request.user)
                else None
            ),
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        case = self.get_object(request, object_id)
        if case is not None and self.has_view_permission(request, case):
            extra_context["service_desk"] = self.service_desk_context(request, case)
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

    def _desk_case(self, request, pk):
        case = self.get_queryset(request).filter(pk=pk).first()
        if case is None or not self.has_view_permission(request, case):
            raise Http404(_("No such after-sales case."))
        return case

    def _desk_back(self, case):
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[case.pk])
        )

    def _desk_run(self, request, case, call, success: str):
        if request.method != "POST":
            return self._desk_back(case)
        try:
            call()
        except NotFound:
            raise Http404(_("No such reply."))
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            messages.success(request, success)
        return self._desk_back(case)

    def desk_reply_view(self, request, pk, reply_id):
        case = self._desk_case(request, pk)
        return self._desk_run(
            request,
            case,
            lambda: services.canned_reply_post(
                case_no=case.case_no, reply_id=reply_id, actor=actor_for(request.user)
            ),
            _("Reply posted to the thread."),
        )

    def desk_macro_view(self, request, pk, macro_id):
        case = self._desk_case(request, pk)
        return self._desk_run(
            request,
            case,
            lambda: services.macro_apply(
                case_no=case.case_no, macro_id=macro_id, actor=actor_for(request.user)
            ),
            _("Macro applied."),
        )

    def desk_make_article_view(self, request, pk):
        case = self._desk_case(request, pk)
        if request.method != "POST" or not is_platform_staff(request.user):
            return self._desk_back(case)
        article = services.article_from_case(case=case, actor=actor_for(request.user))
        messages.success(request, _("Draft article made from the case: edit and publish it."))
        return HttpResponseRedirect(reverse("admin:knowledge_article_change", args=[article.pk]))
