"""Reviews in the admin: merchants read their products' reviews and answer each once; platform
operations see all and hide or show them. Every change goes through reviews.services."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.utils.html import format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog.actors import actor_for, is_platform_staff
from catalog.admin_scope import MerchantScopedAdmin
from reviews.models import Review, ReviewImage
from reviews.services import MAX_REPLY_LENGTH, review_reply, review_set_visible
from reviews.templatetags.review_tags import review_image_url, stars
from shop.errors import DomainError


class RepliedFilter(admin.SimpleListFilter):
    title = _("merchant reply")
    parameter_name = "replied"

    def lookups(self, request, model_admin):
        return [("no", _("Waiting for a reply")), ("yes", _("Replied"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(replied_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(replied_at__isnull=False)
        return queryset


class ReviewReplyForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["merchant_reply"]
        widgets = {"merchant_reply": forms.Textarea(attrs={"rows": 4, "cols": 80})}
        help_texts = {
            "merchant_reply": _("Shown under the review on the product page. You can reply once.")
        }

    def clean_merchant_reply(self):
        text = (self.cleaned_data.get("merchant_reply") or "").strip()
        if len(text) > MAX_REPLY_LENGTH:
            raise forms.ValidationError(
                ngettext(
                    "At most %(limit)d character.",
                    "At most %(limit)d characters.",
                    MAX_REPLY_LENGTH,
                )
                % {"limit": MAX_REPLY_LENGTH}
            )
        return text


@admin.register(Review)
class ReviewAdmin(MerchantScopedAdmin, admin.ModelAdmin):
    merchant_lookup = "product__merchant"
    form = ReviewReplyForm
    list_display = (
        "created_at",
        "product",
        "rating_stars",
        "short_text",
        "picture_count",
        "is_visible",
        "replied",
    )
    list_display_links = ("created_at", "product")
    list_filter = ("rating", "is_visible", RepliedFilter, "created_at")
    search_fields = ("product__title", "text", "order_line__order__order_no")
    list_select_related = ("product", "user")  # both named by the review's __str__
    date_hierarchy = "created_at"
    actions = ["hide_reviews", "show_reviews"]
    review_fields = (
        "product",
        "order_no",
        "user",
        "rating_stars",
        "text",
        "pictures",
        "is_visible",
        "created_at",
    )
    reply_fields = ("merchant_reply", "replied_by", "replied_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(picture_total=Count("images"))

    def get_fieldsets(self, request, obj=None):
        return [
            (_("Review"), {"fields": self.review_fields}),
            (_("Merchant's reply"), {"fields": self.reply_fields}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.review_fields) + ["replied_by", "replied_at"]
        if obj is None or obj.replied_at is not None:
            readonly.append("merchant_reply")  # answered once: read-only from then on
        return readonly

    # -- columns ------------------------------------------------------------------------------
    @admin.display(description=_("rating"), ordering="rating")
    def rating_stars(self, review):
        return stars(review.rating)

    @admin.display(description=_("text"))
    def short_text(self, review):
        return Truncator(review.text).chars(60)

    @admin.display(description=_("pictures"), ordering="picture_total")
    def picture_count(self, review):
        # get_queryset annotates it; `or` would query again for every review without pictures.
        return review.picture_total

    @admin.display(description=_("replied"), boolean=True, ordering="replied_at")
    def replied(self, review):
        return review.replied_at is not None

    @admin.display(description=_("order"))
    def order_no(self, review):
        return review.order_line.order.order_no

    @admin.display(description=_("pictures"))
    def pictures(self, review):
        images = ReviewImage.objects.filter(review=review).order_by("position", "id")
        if not images:
            return "—"
        return format_html_join(
            " ",
            '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="" width="80" '
            'height="80" style="object-fit:cover;border-radius:4px"></a>',
            ((review_image_url(i, "original"), review_image_url(i)) for i in images),
        )

    # -- permissions: shoppers write reviews, nobody deletes them (operations hide them) -----
    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_platform_staff(request.user):
            actions.pop("hide_reviews", None)
            actions.pop("show_reviews", None)
        return actions

    # -- writes go through the service ----------------------------------------------------------
    def save_model(self, request, obj, form, change):
        text = form.cleaned_data.get("merchant_reply") or ""
        if not change or "merchant_reply" not in form.changed_data or not text:
            return
        request._review_reply_sent = True
        try:
            review_reply(review_id=obj.pk, actor=actor_for(request.user), text=text)
        except DomainError as error:
            self.message_user(request, error.detail, level=messages.ERROR)
        else:
            self.message_user(request, gettext("Your reply is published under the review."))

    def response_change(self, request, obj):
        if getattr(request, "_review_reply_sent", False):
            # Back to the review, where the reply (or the reason it was refused) is shown,
            # without Django's generic "changed successfully".
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _set_visible(self, request, queryset, *, is_visible: bool) -> None:
        actor = actor_for(request.user)
        changed = 0
        for pk in queryset.exclude(is_visible=is_visible).values_list("pk", flat=True):
            review_set_visible(review_id=pk, actor=actor, is_visible=is_visible)
            changed += 1
        if is_visible:
            text = ngettext("%(count)d review shown.", "%(count)d reviews shown.", changed)
        else:
            text = ngettext("%(count)d review hidden.", "%(count)d reviews hidden.", changed)
        self.message_user(request, text % {"count": changed})

    @admin.action(description=_("Hide the selected reviews from the product page"))
    def hide_reviews(self, request, queryset):
        self._set_visible(request, queryset, is_visible=False)

    @admin.action(description=_("Show the selected reviews again"))
    def show_reviews(self, request, queryset):
        self._set_visible(request, queryset, is_visible=True)
