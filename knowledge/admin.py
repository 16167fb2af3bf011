"""Admin of the knowledge base (articles with their versions, topics, canned replies, macros,
feedback, contact requests) and the operations workbench page."""

import difflib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import AfterSalesCase
from catalog.actors import actor_for, is_platform_staff, staff_merchant
from catalog.admin_scope import MerchantScopedAdmin
from shop.admin_inlines import ReadOnlyTabularInline
from shop.errors import DomainError

from . import (
    admin_case_desk,  # noqa: F401 (the case admins, with the service desk)
    metrics,
    services,
    workbench,
)
from .models import (
    Article,
    ArticleFeedback,
    ArticleVersion,
    CannedReply,
    ContactRequest,
    Macro,
    ServiceWorkbench,
    Topic,
)


class ArticleVersionInline(ReadOnlyTabularInline):
    model = ArticleVersion
    fields = ("number", "title", "status", "changed", "note", "edited_by", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edited_by")

    @admin.display(description=_("what changed"))
    def changed(self, version):
        """Lines of the body added and removed since the version before."""
        previous = (
            ArticleVersion.objects.filter(article_id=version.article_id, number__lt=version.number)
            .order_by("-number")
            .first()
        )
        if previous is None:
            return _("first version")
        diff = list(
            difflib.unified_diff(previous.body.splitlines(), version.body.splitlines(), n=0)
        )
        added = sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))
        removed = sum(1 for line in diff if line.startswith("-") and not line.startswith("---"))
        title = _(", title") if previous.title != version.title else ""
        return f"+{added} −{removed}{title}"


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", _("Review due"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(review_due_on__lte=timezone.localdate())
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = (
        "title", "language", "audience", "status", "topic", "review_due_on",
        "view_count", "helpful_count", "not_helpful_count", "updated_at",
    )  # fmt: skip
    list_filter = ("status", "audience", "language", "topic", ReviewDueFilter)
    search_fields = ("title", "keywords", "body", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("reasons", "categories")
    readonly_fields = (
        "view_count", "helpful_count", "not_helpful_count", "published_at",
        "source_case_no", "updated_by",
    )  # fmt: skip
    inlines = (ArticleVersionInline,)
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "body", "keywords")}),
        (_("Who and where"), {"fields": ("language", "audience", "status", "topic", "position")}),
        (
            _("What it answers"),
            {"fields": ("reasons", "case_types", "stages", "categories")},
        ),
        (
            _("Care"),
            {
                "fields": (
                    "review_due_on",
                    "source_case_no",
                    "updated_by",
                    "published_at",
                    "view_count",
                    "helpful_count",
                    "not_helpful_count",
                )
            },
        ),  # fmt: skip
    )

    def has_module_permission(self, request):
        return is_platform_staff(request.user) or super().has_module_permission(request)

    def save_model(self, request, obj, form, change):
        """Through the service: a version per save and the search document rebuilt."""
        fields = {
            name: form.cleaned_data[name]
            for name in services.ARTICLE_FIELDS
            if name in form.cleaned_data and name != "slug"
        }
        fields["slug"] = obj.slug
        services.article_save(
            actor=actor_for(request.user), article=obj, note=_("edited in the admin"), **fields
        )


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(CannedReply)
class CannedReplyAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    list_display = ("title", "merchant", "audience", "is_active", "position")
    list_filter = ("is_active", "audience")
    filter_horizontal = ("reasons",)


@admin.register(Macro)
class MacroAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "merchant"
    list_display = ("name", "action", "reply", "merchant", "is_active")


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(admin.ModelAdmin):
    list_display = ("article", "helpful", "comment", "created_at")
    list_filter = ("helpful",)
    readonly_fields = ("article", "user", "session_key", "helpful", "comment", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(ContactRequest)
class ContactRequestAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    """Questions to a merchant appear in its staff's list; those to the platform to ops."""

    merchant_lookup = "merchant"
    list_display = ("subject", "recipient", "merchant", "sub_order", "user", "status", "created_at")
    list_filter = ("recipient", "status")
    readonly_fields = ("user", "recipient", "merchant", "sub_order", "subject", "message",
                       "created_at", "status", "answered_by", "answered_at")  # fmt: skip
    fields = (*readonly_fields, "answer")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        try:
            services.contact_request_answer(
                contact=obj, actor=actor_for(request.user), answer=form.cleaned_data["answer"]
            )
        except DomainError as error:
            messages.error(request, error.detail)


# The figures' rolling windows the workbench offers (30 days is the marketplaces' own).
WINDOWS = ("7", "30", "90")


@admin.register(ServiceWorkbench)
class ServiceWorkbenchAdmin(admin.ModelAdmin):
    """One page: queues, figures (CSV with ?format=csv), charts. Ops see every merchant; a
    merchant's staff their own row next to the platform's."""

    def has_module_permission(self, request):
        return is_platform_staff(request.user) or staff_merchant(request.user) is not None

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        merchant = None if is_platform_staff(request.user) else staff_merchant(request.user)
        days = request.GET.get("days", "")
        days = int(days) if days in WINDOWS else metrics.WINDOW_DAYS
        figures = metrics.service_figures(
            days=days, merchant_ids=None if merchant is None else [merchant.pk]
        )
        if request.GET.get("format") == "csv":
            response = HttpResponse(metrics.figures_csv(figures), content_type="text/csv")
            stamp = timezone.localdate().isoformat()
            response["Content-Disposition"] = (
                f'attachment; filename="service-figures-{days}d-{stamp}.csv"'
            )
            return response
        cases = AfterSalesCase.objects.all()
        if merchant is not None:
            cases = cases.filter(merchant=merchant)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Operations workbench"),
            "opts": self.opts,
            "queues": workbench.case_queues(cases=cases),
            "open_questions": workbench.open_questions(merchant=merchant),
            "columns": [label for _key, label, _getter in metrics.COLUMNS],
            "rows": metrics.figures_rows(figures),
            "charts": [
                *workbench.figures_charts(figures),
                workbench.cases_per_day_chart(cases=cases),
            ],
            "articles": workbench.articles_needing_care() if merchant is None else None,
            "window_days": days,
            "windows": [int(w) for w in WINDOWS],
        }
        return TemplateResponse(request, "admin/knowledge/workbench.html", context)
